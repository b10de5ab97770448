package org.polydesk.input.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;

/**
 * The Linux calls of the input server (device nodes, the evdev ioctls, inotify) in Java types:
 * file descriptors are ints, failures are {@link ErrnoException}. With {@link LibC} behind it, the
 * only native code of the input server; the rest of it never sees JNA.
 */
public final class Linux {
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENODEV = 19;

    public static final int IN_ATTRIB = 0x4;
    public static final int IN_MOVED_TO = 0x80;
    public static final int IN_CREATE = 0x100;
    public static final int IN_DELETE = 0x200;
    public static final int IN_NONBLOCK = O_NONBLOCK;
    public static final int IN_CLOEXEC = O_CLOEXEC;

    public static final int IOC_WRITE = 1;
    public static final int IOC_READ = 2;
    public static final long EVIOCGRAB = ioc(IOC_WRITE, 'E', 0x90, 4);

    private Linux() {
    }

    public static int open(String path, int flags) throws ErrnoException {
        try {
            return LibC.INSTANCE.open(path, flags);
        } catch (LastErrorException e) {
            throw new ErrnoException("open", e.getErrorCode());
        }
    }

    public static void close(int fd) throws ErrnoException {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            throw new ErrnoException("close", e.getErrorCode());
        }
    }

    /** Reads up to {@code count} bytes into {@code buf}; the number read. */
    public static int read(int fd, byte[] buf, int count) throws ErrnoException {
        try {
            return LibC.INSTANCE.read(fd, buf, new NativeLong(count)).intValue();
        } catch (LastErrorException e) {
            throw new ErrnoException("read", e.getErrorCode());
        }
    }

    /** Writes the first {@code count} bytes of {@code buf}; the number written. */
    public static int write(int fd, byte[] buf, int count) throws ErrnoException {
        try {
            return LibC.INSTANCE.write(fd, buf, new NativeLong(count)).intValue();
        } catch (LastErrorException e) {
            throw new ErrnoException("write", e.getErrorCode());
        }
    }

    /** Waits up to {@code timeoutMs} for {@code events} on {@code fd}: its revents, 0 on timeout. */
    public static int poll(int fd, short events, int timeoutMs) throws ErrnoException {
        int[] pollfd = {fd, events};
        try {
            if (LibC.INSTANCE.poll(pollfd, new NativeLong(1), timeoutMs) == 0) {
                return 0;
            }
        } catch (LastErrorException e) {
            throw new ErrnoException("poll", e.getErrorCode());
        }
        return pollfd[1] >>> 16;
    }

    public static void ioctl(int fd, long request, byte[] arg) throws ErrnoException {
        try {
            LibC.INSTANCE.ioctl(fd, new NativeLong(request), arg);
        } catch (LastErrorException e) {
            throw new ErrnoException("ioctl", e.getErrorCode());
        }
    }

    public static void ioctl(int fd, long request, long arg) throws ErrnoException {
        try {
            LibC.INSTANCE.ioctl(fd, new NativeLong(request), arg);
        } catch (LastErrorException e) {
            throw new ErrnoException("ioctl", e.getErrorCode());
        }
    }

    public static int inotifyInit(int flags) throws ErrnoException {
        try {
            return LibC.INSTANCE.inotify_init1(flags);
        } catch (LastErrorException e) {
            throw new ErrnoException("inotify_init1", e.getErrorCode());
        }
    }

    public static void inotifyAddWatch(int fd, String path, int mask) throws ErrnoException {
        try {
            LibC.INSTANCE.inotify_add_watch(fd, path, mask);
        } catch (LastErrorException e) {
            throw new ErrnoException("inotify_add_watch", e.getErrorCode());
        }
    }

    /** Linux ioctl numbers: {@code _IOC(dir, type, nr, size)}. */
    public static long ioc(int dir, int type, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    public static long eviocgname(int len) {
        return ioc(IOC_READ, 'E', 0x06, len);
    }

    public static long eviocgprop(int len) {
        return ioc(IOC_READ, 'E', 0x09, len);
    }

    public static long eviocgkey(int len) {
        return ioc(IOC_READ, 'E', 0x18, len);
    }

    public static long eviocgled(int len) {
        return ioc(IOC_READ, 'E', 0x19, len);
    }

    public static long eviocgbit(int ev, int len) {
        return ioc(IOC_READ, 'E', 0x20 + ev, len);
    }

    /** {@code struct input_absinfo}: value, minimum, maximum, fuzz, flat, resolution (6 × s32). */
    public static long eviocgabs(int axis) {
        return ioc(IOC_READ, 'E', 0x40 + axis, 24);
    }
}
