package org.polydesk.display.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The display server's one binding of libc: the framebuffer's open/ioctl/mmap ({@link FbScreen}),
 * a DRM card's device, memory and events ({@link DrmCard}) and strerror for the reasons of gntdev ({@link Gntdev}).
 */
interface LibC extends Library {
    LibC C = Native.load("c", LibC.class);

    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    long FBIOGET_VSCREENINFO = 0x4600;
    long FBIOGET_FSCREENINFO = 0x4602;
    /** Maps a virtual terminal to a framebuffer (struct fb_con2fbmap): {@link FbconMap}. */
    long FBIOPUT_CON2FBMAP = 0x4610;
    /** sizeof(struct fb_var_screeninfo) and sizeof(struct fb_fix_screeninfo) on 64-bit Linux. */
    int VAR_SIZE = 160;
    int FIX_SIZE = 80;

    int open(String path, int flags);

    int AF_NETLINK = 16;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_KOBJECT_UEVENT = 15;

    int socket(int domain, int type, int protocol);

    /** {@code address}: struct sockaddr_nl {u16 family; u16 pad; u32 pid; u32 groups;}, 12 bytes. */
    int bind(int fd, byte[] address, int length);

    int ioctl(int fd, long request, byte[] arg);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int close(int fd);

    /** A DRM device's events ({@link DrmCard#awaitFlip}). */
    NativeLong read(int fd, byte[] buffer, NativeLong count);

    /** {@code fds} holds struct pollfd {int fd; short events; short revents;}, 8 bytes each. */
    int poll(byte[] fds, NativeLong count, int timeoutMs);

    short POLLIN = 1;

    String strerror(int errnum);
}
