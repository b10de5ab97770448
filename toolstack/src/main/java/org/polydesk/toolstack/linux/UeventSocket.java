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
 * The kernel's device events (uevents: a device added, removed, bound to a driver) as they happen,
 * from a netlink socket of the kernel's group. The kernel's, not udevd's: polydeskd needs no udev
 * rule to have run, only the device in sysfs and its node in devtmpfs, and works where no udevd runs.
 */
public final class UeventSocket implements AutoCloseable {
    private static final int KERNEL_GROUP = 1;
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
                .putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(KERNEL_GROUP).array();
        try {
            LibC.INSTANCE.bind(fd, addr, addr.length);
        } catch (LastErrorException e) {
            LibC.INSTANCE.close(fd);
            throw new IOException("cannot join the kernel's uevent group: " + e.getMessage(), e);
        }
        return new UeventSocket(fd);
    }

    /**
     * The next event's properties (ACTION, DEVPATH, SUBSYSTEM, DEVTYPE…), or empty if none came within
     * {@code timeoutMs} or the socket was closed. Messages that are not the kernel's uevent format are skipped.
     */
    public synchronized Optional<Map<String, String>> next(int timeoutMs) throws IOException {
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

    /** "ACTION@DEVPATH\0KEY=VALUE\0…" as a map; empty for anything else (udevd's "libudev" messages). */
    static Optional<Map<String, String>> parse(byte[] buf, int length) {
        Map<String, String> props = new LinkedHashMap<>();
        int start = 0;
        boolean header = true;
        for (int i = 0; i <= length; i++) {
            if (i == length || buf[i] == 0) {
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
