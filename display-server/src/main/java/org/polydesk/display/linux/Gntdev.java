package org.polydesk.display.linux;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Logger;
import org.polydesk.display.gnttab.GrantMapper;
import org.polydesk.display.gnttab.GrantMapping;
import org.polydesk.protocol.viewer.FrameRegion;

/**
 * Maps grants with gntdev through libxengnttab, one handle per mapping, so that closing the
 * mapping gives back everything. libxengnttab is loaded on the first mapping: a display server
 * that never sees grants (no Xen) never needs it.
 */
public final class Gntdev implements GrantMapper {
    private static final Logger LOG = Logger.getLogger(Gntdev.class.getName());
    private static Libxengnttab lib;

    private static synchronized Libxengnttab lib() throws IOException {
        if (lib == null) {
            try {
                lib = Native.load(Libxengnttab.SONAME, Libxengnttab.class);
            } catch (UnsatisfiedLinkError e) {
                throw new IOException("cannot load " + Libxengnttab.SONAME + " (Xen's libxengnttab1; is this a Xen dom0?): "
                        + e.getMessage());
            }
        }
        return lib;
    }

    private static String lastError() {
        int errno = Native.getLastError();
        return LibC.C.strerror(errno) + ", errno " + errno;
    }

    @Override
    public GrantMapping map(int domid, int[] refs) throws IOException {
        Libxengnttab x = lib();
        Pointer handle = x.xengnttab_open(null, 0);
        if (handle == null) {
            throw new IOException("cannot open gntdev (" + lastError() + "); is xen-gntdev loaded?");
        }
        Pointer at = x.xengnttab_map_domain_grant_refs(handle, refs.length, domid, refs,
                Libxengnttab.PROT_READ | Libxengnttab.PROT_WRITE);
        if (at == null) {
            String why = lastError();
            x.xengnttab_close(handle);
            throw new IOException("gntdev cannot map the " + refs.length + " pages domain " + domid + " offers (" + why + ")");
        }
        return new Mapped(x, handle, at, refs.length);
    }

    private static final class Mapped implements GrantMapping {
        private final Libxengnttab x;
        private final Pointer handle;
        private final Pointer at;
        private final int pages;
        private final ByteBuffer memory;
        private boolean closed;

        Mapped(Libxengnttab x, Pointer handle, Pointer at, int pages) {
            this.x = x;
            this.handle = handle;
            this.at = at;
            this.pages = pages;
            this.memory = at.getByteBuffer(0, (long) pages * FrameRegion.PAGE_BYTES);
        }

        @Override
        public ByteBuffer memory() {
            return memory;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (x.xengnttab_unmap(handle, at, pages) != 0) {
                String why = lastError();
                LOG.warning(() -> "gntdev could not unmap " + pages + " granted pages (" + why + ")");
            }
            x.xengnttab_close(handle);
        }
    }
}
