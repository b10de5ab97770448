package org.polydesk.toolstack.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Device events (uevents: a device added, removed, bound to a driver) as they happen, from a netlink
 * socket in both groups: the kernel's, sent at once, and udevd's, sent after its rules ran for the
 * device. A reader that needs what udev does (QEMU's libusb learns of devices from udevd) waits for
 * udevd's where udevd runs; the kernel's serve where none does. Only root can send to these groups;
 * a message's content is used as a hint to look again, never trusted further.
 */
public final class UeventSocket implements AutoCloseable {
    /** Bits of the groups joined: 1 the kernel's, 2 udevd's. */
    private static final int KERNEL_AND_UDEV_GROUPS = 1 | 2;
    private static final byte[] UDEV_PREFIX = "libudev\0".getBytes(StandardCharsets.US_ASCII);
    private static final int UDEV_MAGIC = 0xfeedcafe;

    /** Who sent an event. */
    public enum Source { KERNEL, UDEV }

    /** One event: its sender and its properties (ACTION, DEVPATH, SUBSYSTEM, DEVTYPE…). */
    public record Event(Source source, Map<String, String> properties) {
        public String get(String key) {
            return properties.get(key);
        }
    }

    private final int fd;
    private final byte[] buffer = new byte[16384];
    private volatile boolean closed;

    private UeventSocket(int fd) {
        this.fd = fd;
    }

    public static UeventSocket open() throws IOException {
        int fd;
        try {
            fd = LibC.INSTANCE.socket(LibC.AF_NETLINK, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.NETLINK_KOBJECT_UEVENT);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            throw new IOException("cannot open the kernel's uevent socket: " + e.getMessage(), e);
        }
        // struct sockaddr_nl: family, pad, pid (0: the kernel picks), groups.
        byte[] addr = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder())
                .putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(KERNEL_AND_UDEV_GROUPS).array();
        try {
            LibC.INSTANCE.bind(fd, addr, addr.length);
        } catch (LastErrorException e) {
            LibC.INSTANCE.close(fd);
            throw new IOException("cannot join the kernel's uevent group: " + e.getMessage(), e);
        }
        return new UeventSocket(fd);
    }

    /**
     * The next event, or empty if none came within {@code timeoutMs} or the socket was closed. Messages
     * in neither the kernel's nor udevd's format are skipped (empty).
     */
    public synchronized Optional<Event> next(int timeoutMs) throws IOException {
        if (closed) {
            return Optional.empty();
        }
        int[] pollfd = {fd, LibC.POLLIN};
        try {
            if (LibC.INSTANCE.poll(pollfd, new NativeLong(1), timeoutMs) == 0 || closed) {
                return Optional.empty();
            }
            int n = LibC.INSTANCE.recv(fd, buffer, new NativeLong(buffer.length), 0).intValue();
            return parse(buffer, n);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 4) { // EINTR
                return Optional.empty();
            }
            throw new IOException("reading the uevent socket failed: " + e.getMessage(), e);
        }
    }

    /**
     * The kernel's "ACTION@DEVPATH\0KEY=VALUE\0…", or udevd's "libudev\0" header (magic, sizes, the
     * offset and length of its KEY=VALUE\0 properties) then the properties; empty for anything else.
     */
    static Optional<Event> parse(byte[] buf, int length) {
        if (length >= 40 && java.util.Arrays.equals(buf, 0, UDEV_PREFIX.length, UDEV_PREFIX, 0, UDEV_PREFIX.length)) {
            ByteBuffer header = ByteBuffer.wrap(buf, 0, length);
            if (header.order(ByteOrder.BIG_ENDIAN).getInt(8) != UDEV_MAGIC) {
                return Optional.empty();
            }
            header.order(ByteOrder.nativeOrder());
            long offset = Integer.toUnsignedLong(header.getInt(16));
            long size = Integer.toUnsignedLong(header.getInt(20));
            if (offset < 40 || offset + size > length) {
                return Optional.empty();
            }
            return properties(buf, (int) offset, (int) (offset + size), false).map(p -> new Event(Source.UDEV, p));
        }
        return properties(buf, 0, length, true).map(p -> new Event(Source.KERNEL, p));
    }

    /** KEY=VALUE\0 fields from {@code from} to {@code to}; with {@code header}, the first field is ACTION@DEVPATH. */
    private static Optional<Map<String, String>> properties(byte[] buf, int from, int to, boolean header) {
        Map<String, String> props = new LinkedHashMap<>();
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || buf[i] == 0) {
                if (i > start) {
                    String field = new String(buf, start, i - start, StandardCharsets.UTF_8);
                    if (header) {
                        if (!field.contains("@")) {
                            return Optional.empty();
                        }
                        header = false;
                    } else {
                        int eq = field.indexOf('=');
                        if (eq > 0) {
                            props.put(field.substring(0, eq), field.substring(eq + 1));
                        }
                    }
                }
                start = i + 1;
            }
        }
        return props.containsKey("ACTION") ? Optional.of(props) : Optional.empty();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            // Waits for a reader inside next() (at most its poll timeout) before the fd can be reused.
            synchronized (this) {
                LibC.INSTANCE.close(fd);
            }
        }
    }
}
