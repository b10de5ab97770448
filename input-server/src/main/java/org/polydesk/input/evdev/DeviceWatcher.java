package org.polydesk.input.evdev;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.input.linux.ErrnoException;
import org.polydesk.input.linux.Linux;

/**
 * Follows the {@code event*} nodes of a directory (normally /dev/input) with inotify: reports the
 * nodes present at start, then each node created (or whose attributes change, as udev fixes its
 * permissions after creating it) and each node deleted.
 */
public final class DeviceWatcher implements Closeable {
    private static final Logger LOG = Logger.getLogger(DeviceWatcher.class.getName());
    private final Path dir;
    private final Consumer<Path> appeared;
    private final Consumer<Path> vanished;
    private final int fd;
    private final Thread thread;
    private volatile boolean closed;

    public DeviceWatcher(Path dir, Consumer<Path> appeared, Consumer<Path> vanished) throws IOException {
        this.dir = dir;
        this.appeared = appeared;
        this.vanished = vanished;
        try {
            fd = Linux.inotifyInit(Linux.IN_NONBLOCK | Linux.IN_CLOEXEC);
        } catch (ErrnoException e) {
            throw new IOException("inotify_init1: " + e.describe(), e);
        }
        try {
            Linux.inotifyAddWatch(fd, dir.toString(),
                    Linux.IN_CREATE | Linux.IN_ATTRIB | Linux.IN_DELETE | Linux.IN_MOVED_TO);
        } catch (ErrnoException e) {
            Linux.close(fd);
            throw new IOException("cannot watch " + dir + ": " + e.describe(), e);
        }
        thread = new Thread(this::run, "evdev-watch");
        thread.setDaemon(true);
    }

    /** Reports the nodes present now, then follows changes on a thread of its own. */
    public void start() throws IOException {
        try (DirectoryStream<Path> nodes = Files.newDirectoryStream(dir, "event*")) {
            for (Path p : nodes) {
                appeared.accept(p);
            }
        }
        thread.start();
    }

    private void run() {
        byte[] buf = new byte[4096];
        while (!closed) {
            try {
                if (Linux.poll(fd, Linux.POLLIN, 200) == 0) {
                    continue;
                }
                int n = Linux.read(fd, buf, buf.length);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 16) {
                    b.getInt(); // wd
                    int mask = b.getInt();
                    b.getInt(); // cookie
                    int len = b.getInt();
                    byte[] name = new byte[len];
                    b.get(name);
                    int end = 0;
                    while (end < len && name[end] != 0) {
                        end++;
                    }
                    String file = new String(name, 0, end, StandardCharsets.UTF_8);
                    if (!file.startsWith("event")) {
                        continue;
                    }
                    Path p = dir.resolve(file);
                    if ((mask & Linux.IN_DELETE) != 0) {
                        vanished.accept(p);
                    } else {
                        appeared.accept(p);
                    }
                }
            } catch (ErrnoException e) {
                if (e.errno() != Linux.EAGAIN && e.errno() != Linux.EINTR) {
                    LOG.warning("watching " + dir + " failed, hot-plug stops: " + e.describe());
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warning("a hot-plug listener failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Linux.close(fd);
        } catch (ErrnoException e) {
            LOG.fine(() -> "closing the inotify descriptor: " + e.describe());
        }
    }
}
