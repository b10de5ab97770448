package org.polydesk.toolstack.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * polydeskd's one binding of libc. For libxl: the FILE* for stderr, free() for the strings libxl
 * hands back, and the file descriptor a saved state is written to or read from (libxl takes an fd,
 * as xl opens it); those return -1 on failure, errno then being {@code Native.getLastError()}.
 * For the kernel's device events: a netlink socket, read with poll and recv (these throw).
 */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    /** Linux x86_64 values (checked against fcntl.h by LibxlStructSizesTest). */
    int O_RDONLY = 0;
    int O_WRONLY = 01;
    int O_CREAT = 0100;
    int O_TRUNC = 01000;
    int O_CLOEXEC = 02000000;

    int AF_NETLINK = 16;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 02000000;
    int NETLINK_KOBJECT_UEVENT = 15;
    short POLLIN = 1;

    Pointer fdopen(int fd, String mode);

    void free(Pointer p);

    int open(String path, int flags, int mode);

    int fsync(int fd);

    int close(int fd);

    String strerror(int errnum);

    int socket(int domain, int type, int protocol) throws LastErrorException;

    /** {@code addr}: a {@code struct sockaddr_nl} as bytes. */
    int bind(int fd, byte[] addr, int len) throws LastErrorException;

    /** {@code struct pollfd[]} as pairs of ints: fd, then events (low 16 bits) and revents (high 16 bits). */
    int poll(int[] fds, NativeLong nfds, int timeoutMs) throws LastErrorException;

    NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;
}
