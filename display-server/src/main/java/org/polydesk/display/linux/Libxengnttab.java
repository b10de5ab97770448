package org.polydesk.display.linux;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** libxengnttab, Xen's wrapper of /dev/xen/gntdev; {@link Gntdev} loads it on first use. */
interface Libxengnttab extends Library {
    String SONAME = "libxengnttab.so.1";
    int PROT_READ = 1;
    int PROT_WRITE = 2;

    Pointer xengnttab_open(Pointer logger, int openFlags);

    Pointer xengnttab_map_domain_grant_refs(Pointer handle, int count, int domid, int[] refs, int prot);

    int xengnttab_unmap(Pointer handle, Pointer address, int count);

    int xengnttab_close(Pointer handle);
}
