package org.polydesk.display.gnttab;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** libxengnttab (Xen's wrapper of /dev/xen/gntdev) and libc's strerror. */
interface GnttabNative extends Library {
    String SONAME = "libxengnttab.so.1";
    int PROT_READ = 1;
    int PROT_WRITE = 2;

    Pointer xengnttab_open(Pointer logger, int openFlags);

    Pointer xengnttab_map_domain_grant_refs(Pointer handle, int count, int domid, int[] refs, int prot);

    int xengnttab_unmap(Pointer handle, Pointer address, int count);

    int xengnttab_close(Pointer handle);

    interface LibC extends Library {
        LibC C = Native.load("c", LibC.class);

        String strerror(int errnum);
    }
}
