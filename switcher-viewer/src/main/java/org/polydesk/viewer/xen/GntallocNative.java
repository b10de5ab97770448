package org.polydesk.viewer.xen;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The libc calls gntalloc needs. The only code of the viewer that calls native code through JNA. */
interface GntallocNative extends Library {
    GntallocNative C = Native.load("c", GntallocNative.class);

    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    int ENOENT = 2;
    int ENOSPC = 28;
    /** _IOC(_IOC_NONE, 'G', 5, sizeof(struct ioctl_gntalloc_alloc_gref)) from linux/include/uapi/xen/gntalloc.h. */
    long IOCTL_GNTALLOC_ALLOC_GREF = 0x184705;
    /** struct ioctl_gntalloc_alloc_gref: u16 domid | u16 flags | u32 count | u64 index | u32 gref_ids[count]. */
    int ALLOC_OFF_DOMID = 0;
    int ALLOC_OFF_FLAGS = 2;
    int ALLOC_OFF_COUNT = 4;
    int ALLOC_OFF_INDEX = 8;
    int ALLOC_OFF_REFS = 16;
    short GNTALLOC_FLAG_WRITABLE = 1;

    int open(String path, int flags);

    int ioctl(int fd, long request, Pointer arg);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int close(int fd);

    String strerror(int errnum);
}
