package org.polydesk.input.evdev;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import org.polydesk.input.linux.ErrnoException;
import org.polydesk.input.linux.Linux;

/**
 * An open evdev device node: its capabilities, the exclusive grab, its event stream and its LEDs.
 * Reads wait in {@code poll} with a short timeout so that {@link #close()} from another thread ends
 * a reader promptly; a device that is unplugged makes the stream end (ENODEV) instead of failing.
 */
public final class EvdevDevice implements Closeable {
    private static final int POLL_MS = 200;
    private final Path path;
    private final int fd;
    private final Capabilities capabilities;
    private volatile boolean closed;

    private EvdevDevice(Path path, int fd, Capabilities capabilities) {
        this.path = path;
        this.fd = fd;
        this.capabilities = capabilities;
    }

    /** Opens and probes a device node; a node that is not an evdev device fails with a message saying so. */
    public static EvdevDevice open(Path path) throws IOException {
        int fd;
        try {
            fd = Linux.open(path.toString(), Linux.O_RDWR | Linux.O_NONBLOCK | Linux.O_CLOEXEC);
        } catch (ErrnoException e) {
            throw new IOException("cannot open " + path + ": " + e.describe(), e);
        }
        try {
            return new EvdevDevice(path, fd, probe(path, fd));
        } catch (IOException | RuntimeException e) {
            try {
                Linux.close(fd);
            } catch (ErrnoException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static Capabilities probe(Path path, int fd) throws IOException {
        byte[] name = new byte[256];
        try {
            Linux.ioctl(fd, Linux.eviocgname(name.length), name);
        } catch (ErrnoException e) {
            throw new IOException(path + " is not an evdev device (EVIOCGNAME: " + e.describe() + ")", e);
        }
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        BitSet types = bits(path, fd, Linux.eviocgbit(0, 4), 4);
        BitSet keys = bits(path, fd, Linux.eviocgbit(EventCodes.EV_KEY, 96), 96);
        BitSet rels = bits(path, fd, Linux.eviocgbit(EventCodes.EV_REL, 4), 4);
        BitSet abs = bits(path, fd, Linux.eviocgbit(EventCodes.EV_ABS, 8), 8);
        BitSet leds = bits(path, fd, Linux.eviocgbit(EventCodes.EV_LED, 4), 4);
        BitSet props = bits(path, fd, Linux.eviocgprop(4), 4);
        Capabilities.AbsRange x = null;
        Capabilities.AbsRange y = null;
        if (abs.get(EventCodes.ABS_X) && abs.get(EventCodes.ABS_Y)) {
            x = absRange(path, fd, EventCodes.ABS_X);
            y = absRange(path, fd, EventCodes.ABS_Y);
        }
        return new Capabilities(new String(name, 0, len, StandardCharsets.UTF_8), types, keys, rels, abs, leds, props, x, y);
    }

    private static BitSet bits(Path path, int fd, long request, int bytes) throws IOException {
        byte[] b = new byte[bytes];
        try {
            Linux.ioctl(fd, request, b);
        } catch (ErrnoException e) {
            throw new IOException("cannot read the capabilities of " + path + ": " + e.describe(), e);
        }
        return BitSet.valueOf(b);
    }

    private static Capabilities.AbsRange absRange(Path path, int fd, int axis) throws IOException {
        byte[] b = new byte[24];
        try {
            Linux.ioctl(fd, Linux.eviocgabs(axis), b);
        } catch (ErrnoException e) {
            throw new IOException("cannot read the range of axis " + axis + " of " + path + ": " + e.describe(), e);
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.getInt();
        return new Capabilities.AbsRange(bb.getInt(), bb.getInt());
    }

    public Path path() {
        return path;
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    /** Takes the device exclusively: nothing else on the host (console, X) sees its events any more. */
    public void grab() throws IOException {
        try {
            Linux.ioctl(fd, Linux.EVIOCGRAB, 1L);
        } catch (ErrnoException e) {
            throw new IOException("cannot grab " + path + " (another program holds it?): " + e.describe(), e);
        }
    }

    /** The keys the kernel says are down now (EVIOCGKEY), to resynchronise after SYN_DROPPED. */
    public BitSet keysDown() throws IOException {
        byte[] b = new byte[96];
        try {
            Linux.ioctl(fd, Linux.eviocgkey(b.length), b);
        } catch (ErrnoException e) {
            throw new IOException("cannot read the key state of " + path + ": " + e.describe(), e);
        }
        return BitSet.valueOf(b);
    }

    /** Sets the Num, Caps and Scroll Lock LEDs, if the device has them. */
    public void setLeds(boolean num, boolean caps, boolean scroll) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(InputEvent.SIZE * 4).order(ByteOrder.LITTLE_ENDIAN);
        int n = 0;
        BitSet leds = capabilities.leds();
        if (leds.get(EventCodes.LED_NUML)) {
            InputEvent.of(EventCodes.EV_LED, EventCodes.LED_NUML, num ? 1 : 0).write(b);
            n++;
        }
        if (leds.get(EventCodes.LED_CAPSL)) {
            InputEvent.of(EventCodes.EV_LED, EventCodes.LED_CAPSL, caps ? 1 : 0).write(b);
            n++;
        }
        if (leds.get(EventCodes.LED_SCROLLL)) {
            InputEvent.of(EventCodes.EV_LED, EventCodes.LED_SCROLLL, scroll ? 1 : 0).write(b);
            n++;
        }
        if (n == 0) {
            return;
        }
        InputEvent.syn().write(b);
        try {
            Linux.write(fd, b.array(), b.position());
        } catch (ErrnoException e) {
            throw new IOException("cannot set the LEDs of " + path + ": " + e.describe(), e);
        }
    }

    /** The device's events as a stream of input_event records; it ends when the device is unplugged or closed. */
    public InputStream stream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                throw new UnsupportedOperationException("evdev delivers whole records");
            }

            @Override
            public int read(byte[] dst, int off, int len) throws IOException {
                byte[] tmp = off == 0 ? dst : new byte[len];
                while (!closed) {
                    try {
                        int revents = Linux.poll(fd, Linux.POLLIN, POLL_MS);
                        if (revents == 0) {
                            continue;
                        }
                        if ((revents & (Linux.POLLHUP | Linux.POLLERR | Linux.POLLNVAL)) != 0
                                && (revents & Linux.POLLIN) == 0) {
                            return -1;
                        }
                        int n = Linux.read(fd, tmp, len);
                        if (n <= 0) {
                            return -1;
                        }
                        if (tmp != dst) {
                            System.arraycopy(tmp, 0, dst, off, n);
                        }
                        return n;
                    } catch (ErrnoException e) {
                        if (e.errno() == Linux.EAGAIN || e.errno() == Linux.EINTR) {
                            continue;
                        }
                        if (e.errno() == Linux.ENODEV) {
                            return -1; // unplugged
                        }
                        throw new IOException("cannot read " + path + ": " + e.describe(), e);
                    }
                }
                return -1;
            }
        };
    }

    /** Ends the stream (within the poll timeout); the fd is released after the reader has stopped. */
    @Override
    public void close() {
        closed = true;
    }

    /** Releases the descriptor, which also releases the grab. Call after the reader has stopped. */
    public void release() {
        closed = true;
        try {
            Linux.close(fd);
        } catch (ErrnoException ignored) {
            // nothing left to do with it
        }
    }
}
