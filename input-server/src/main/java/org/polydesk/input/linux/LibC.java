package org.polydesk.input.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The input server's one binding of libc: open/read/write/close/poll on device nodes, ioctl and
 * inotify. Every call reports failure through {@link LastErrorException}, which {@link Linux}
 * turns into an {@link ErrnoException}.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

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
}
