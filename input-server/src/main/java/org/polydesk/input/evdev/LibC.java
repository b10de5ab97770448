package org.polydesk.input.evdev;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The libc calls of the evdev package, the only native code of the input server: open/read/write/
 * close/poll on device nodes, the evdev ioctls and inotify. Every call reports failure through
 * {@link LastErrorException}, whose errno the callers turn into a message.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;

    short POLLIN = 0x1;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;
    short POLLNVAL = 0x20;

    int EINTR = 4;
    int EAGAIN = 11;
    int ENODEV = 19;

    int IN_ATTRIB = 0x4;
    int IN_MOVED_TO = 0x80;
    int IN_CREATE = 0x100;
    int IN_DELETE = 0x200;
    int IN_NONBLOCK = O_NONBLOCK;
    int IN_CLOEXEC = O_CLOEXEC;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    NativeLong read(int fd, byte[] buf, NativeLong count) throws LastErrorException;

    NativeLong write(int fd, byte[] buf, NativeLong count) throws LastErrorException;

    /** {@code struct pollfd[]} as pairs of ints: fd, then events (low 16 bits) and revents (high 16 bits). */
    int poll(int[] fds, NativeLong nfds, int timeoutMs) throws LastErrorException;

    int ioctl(int fd, NativeLong request, byte[] arg) throws LastErrorException;

    int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;

    int inotify_init1(int flags) throws LastErrorException;

    int inotify_add_watch(int fd, String path, int mask) throws LastErrorException;

    /** Linux ioctl numbers: {@code _IOC(dir, type, nr, size)}. */
    static NativeLong ioc(int dir, int type, int nr, int size) {
        return new NativeLong(((long) dir << 30) | ((long) size << 16) | ((long) type << 8) | nr);
    }

    int IOC_WRITE = 1;
    int IOC_READ = 2;

    static NativeLong eviocgname(int len) {
        return ioc(IOC_READ, 'E', 0x06, len);
    }

    static NativeLong eviocgprop(int len) {
        return ioc(IOC_READ, 'E', 0x09, len);
    }

    static NativeLong eviocgkey(int len) {
        return ioc(IOC_READ, 'E', 0x18, len);
    }

    static NativeLong eviocgled(int len) {
        return ioc(IOC_READ, 'E', 0x19, len);
    }

    static NativeLong eviocgbit(int ev, int len) {
        return ioc(IOC_READ, 'E', 0x20 + ev, len);
    }

    /** {@code struct input_absinfo}: value, minimum, maximum, fuzz, flat, resolution (6 × s32). */
    static NativeLong eviocgabs(int axis) {
        return ioc(IOC_READ, 'E', 0x40 + axis, 24);
    }

    NativeLong EVIOCGRAB = ioc(IOC_WRITE, 'E', 0x90, 4);
}
