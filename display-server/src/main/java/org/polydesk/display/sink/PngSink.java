package org.polydesk.display.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;

/**
 * Writes the screen as a PNG file, at most once per {@code interval} and only when it changed, for
 * machines without a display and for tests. The file is replaced atomically, so a reader never sees
 * half a picture. It holds one picture, the last one presented, and encodes it row by row, each row
 * copied out under the lock, so that drawing waits for a row at most and no second picture is
 * held: a file written while the screen changes may show part of each, and the one written next
 * (the screen has changed since) shows the new picture whole.
 *
 * <p>Like a KMS sink's two buffers, the frame the compositor draws into ({@link #createFrame}) and
 * the picture are in memory of the sink's own outside the Java heap: the heap, and the room the
 * collector keeps free above what it holds, stay the size of the server's objects, not of screens.
 */
public final class PngSink implements Sink {
    private static final Logger LOG = Logger.getLogger(PngSink.class.getName());

    private final Path file;
    private final int width;
    private final int height;
    /** The last picture presented, XRGB, row-major. */
    private final IntBuffer pixels;
    /** The frame the compositor draws into. */
    private final Frame canvas;
    private final PngEncoder encoder;
    private final Thread writer;
    private final Object lock = new Object();
    private boolean dirty;
    private boolean closed;
    private long written;

    public PngSink(Path file, int width, int height, Duration interval) throws IOException {
        this.file = file.toAbsolutePath();
        Path dir = this.file.getParent();
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw new IOException("cannot write snapshots into " + dir);
        }
        if (width <= 0 || height <= 0 || (long) width * height > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("a " + width + "x" + height + " snapshot is not a usable size");
        }
        this.encoder = new PngEncoder(width, height);
        this.width = width;
        this.height = height;
        this.pixels = directInts(width * height);
        this.canvas = Frame.inMemory(directInts(width * height), 0, width, width, height);
        this.writer = new Thread(() -> writeLoop(interval.toMillis()), "png-sink");
        writer.setDaemon(true);
        writer.start();
    }

    public Path file() {
        return file;
    }

    /** How many snapshots were written so far. */
    public long written() {
        synchronized (lock) {
            return written;
        }
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    private static IntBuffer directInts(int count) {
        return ByteBuffer.allocateDirect(4 * count).order(ByteOrder.nativeOrder()).asIntBuffer();
    }

    @Override
    public Frame createFrame() {
        return canvas;
    }

    @Override
    public void present(Frame frame, List<Rect> damage) {
        synchronized (lock) {
            for (Rect r : damage) {
                for (int y = r.y(); y < r.y() + r.height(); y++) {
                    frame.copyRow(r.x(), y, r.width(), pixels, y * width + r.x());
                }
            }
            dirty = true;
            lock.notifyAll();
        }
    }

    private void writeLoop(long intervalMs) {
        try {
            writeEach(intervalMs);
        } finally {
            encoder.close();
        }
    }

    private void writeEach(long intervalMs) {
        while (true) {
            synchronized (lock) {
                while (!dirty && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                dirty = false;
            }
            try {
                Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
                    encoder.write(this::copyRow, out);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                synchronized (lock) {
                    written++;
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot write the snapshot " + file + ": " + e.getMessage());
            }
            synchronized (lock) {
                long until = System.nanoTime() + intervalMs * 1_000_000;
                while (!closed && System.nanoTime() < until) {
                    try {
                        lock.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    private void copyRow(int y, int[] into) {
        synchronized (lock) {
            pixels.get(y * width, into, 0, width);
        }
    }

    @Override
    public String describe() {
        return "PNG snapshots " + file + " " + width() + "x" + height();
    }

    /** Stops writing; a snapshot being written is finished first, so no temporary file is left. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
