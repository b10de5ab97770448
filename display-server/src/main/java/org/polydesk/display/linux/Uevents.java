package org.polydesk.display.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's device events (uevents, the netlink socket udev reads): {@link #await} waits for
 * a {@code change} of a device of subsystem {@code drm}, as the kernel sends when a monitor is
 * plugged in or unplugged ({@code HOTPLUG=1}) and when one is asked for through the card's sysfs
 * {@code uevent}; what changed is then read from the card itself. (A connector's status forced
 * through sysfs sends none on Debian 12's kernel.) Only the kernel sends on this group; the payload
 * is still read as text, key by key, never trusted further.
 */
public final class Uevents implements AutoCloseable {
    private static final int POLLIN = 1;
    private final int fd;

    private Uevents(int fd) {
        this.fd = fd;
    }

    /** Joins the kernel's uevent group (needs CAP_NET_ADMIN, or root, in the initial network namespace). */
    public static Uevents open() throws IOException {
        int fd = LibC.C.socket(LibC.AF_NETLINK, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.NETLINK_KOBJECT_UEVENT);
        if (fd < 0) {
            throw new IOException("cannot open the kernel's uevent socket: " + LibC.C.strerror(Native.getLastError()));
        }
        ByteBuffer address = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        address.putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(1); // group 1: the kernel's
        if (LibC.C.bind(fd, address.array(), 12) < 0) {
            String why = LibC.C.strerror(Native.getLastError());
            LibC.C.close(fd);
            throw new IOException("cannot join the kernel's uevents: " + why);
        }
        return new Uevents(fd);
    }

    /**
     * Waits up to {@code timeoutMs} for a DRM device's change; true when one came (others are read
     * and passed over), false when the time ran out.
     */
    public boolean await(int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        byte[] buffer = new byte[8192];
        while (true) {
            int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            ByteBuffer pfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(fd).putShort((short) POLLIN);
            byte[] fds = pfd.array();
            int ready = LibC.C.poll(fds, new NativeLong(1), left);
            if (ready < 0) {
                int errno = Native.getLastError();
                if (errno == 4) { // EINTR
                    continue;
                }
                throw new IOException("poll on the uevent socket: " + LibC.C.strerror(errno));
            }
            if (ready == 0) {
                return false;
            }
            long n = LibC.C.read(fd, buffer, new NativeLong(buffer.length)).longValue();
            if (n < 0) {
                throw new IOException("reading a uevent: " + LibC.C.strerror(Native.getLastError()));
            }
            if (isDrmChange(buffer, (int) n)) {
                return true;
            }
        }
    }

    /** "change@/devices/…/drm/card1\0ACTION=change\0…SUBSYSTEM=drm\0HOTPLUG=1\0…". */
    static boolean isDrmChange(byte[] message, int length) {
        boolean drm = false;
        boolean change = false;
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || message[i] == 0) {
                String field = new String(message, start, i - start, StandardCharsets.US_ASCII);
                drm |= field.equals("SUBSYSTEM=drm");
                change |= field.equals("ACTION=change");
                start = i + 1;
            }
        }
        return drm && change;
    }

    @Override
    public void close() {
        LibC.C.close(fd);
    }
}
