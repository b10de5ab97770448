package org.polydesk.viewer.xen;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.viewer.region.OfferedRegion;

/**
 * The frame region as pages this domain grants dom0 with gntalloc (read-write), offered in HELLO
 * as their grant refs in order; dom0 maps them with gntdev. Closing unmaps them here and closes
 * the device: the kernel ends the grants once dom0 has unmapped them too.
 */
public final class GrantedRegion implements OfferedRegion {
    public static final Path DEVICE = Path.of("/dev/xen/gntalloc");
    static final Path LIMIT = Path.of("/sys/module/xen_gntalloc/parameters/limit");
    /** Enough for four 4K buffers; what the polydesk-viewer package sets in /etc/modprobe.d. */
    static final int SUGGESTED_LIMIT = 32768;
    private static final int DOM0 = 0;
    private static final Pointer MAP_FAILED = new Pointer(-1);

    private final int fd;
    private final Pointer at;
    private final long size;
    private final int domid;
    private final int[] refs;
    private final FrameRegion region;

    private GrantedRegion(int fd, Pointer at, long size, int domid, int[] refs, FrameRegion region) {
        this.fd = fd;
        this.at = at;
        this.size = size;
        this.domid = domid;
        this.refs = refs;
        this.region = region;
    }

    /** Grants dom0 a new region of {@code buffers} buffers of {@code width}×{@code height}; {@code domid} is ours. */
    public static GrantedRegion create(int domid, int width, int height, int buffers) throws IOException {
        int pages = FrameRegion.pagesFor(width, height, buffers);
        long size = (long) pages * FrameRegion.PAGE_BYTES;
        GntallocNative c = GntallocNative.C;
        int fd = c.open(DEVICE.toString(), GntallocNative.O_RDWR | GntallocNative.O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new IOException("cannot open " + DEVICE + " (" + c.strerror(errno) + ", errno " + errno + "); "
                    + (errno == GntallocNative.ENOENT ? "not a Xen guest, or xen_gntalloc is not loaded (modprobe xen_gntalloc)"
                    : "the viewer's user needs read-write access to it (the polydesk-viewer package gives it to the"
                    + " desktop session's user)"));
        }
        try {
            Memory arg = new Memory(GntallocNative.ALLOC_OFF_REFS + 4L * pages);
            arg.clear();
            arg.setShort(GntallocNative.ALLOC_OFF_DOMID, (short) DOM0);
            arg.setShort(GntallocNative.ALLOC_OFF_FLAGS, GntallocNative.GNTALLOC_FLAG_WRITABLE);
            arg.setInt(GntallocNative.ALLOC_OFF_COUNT, pages);
            if (c.ioctl(fd, GntallocNative.IOCTL_GNTALLOC_ALLOC_GREF, arg) != 0) {
                int errno = Native.getLastError();
                throw new IOException(refusal(pages, errno, c.strerror(errno), currentLimit()));
            }
            long index = arg.getLong(GntallocNative.ALLOC_OFF_INDEX);
            int[] refs = arg.getIntArray(GntallocNative.ALLOC_OFF_REFS, pages);
            Pointer at = c.mmap(null, size, GntallocNative.PROT_READ | GntallocNative.PROT_WRITE,
                    GntallocNative.MAP_SHARED, fd, index);
            if (at == null || at.equals(MAP_FAILED)) {
                throw new IOException("cannot map the " + pages + " pages gntalloc granted (" + lastError() + ")");
            }
            FrameRegion region = FrameRegion.create(at.getByteBuffer(0, size), width, height, buffers);
            return new GrantedRegion(fd, at, size, domid, refs, region);
        } catch (IOException | RuntimeException e) {
            c.close(fd); // also ends the grants made so far
            throw e;
        }
    }

    private static String lastError() {
        int errno = Native.getLastError();
        return GntallocNative.C.strerror(errno) + ", errno " + errno;
    }

    private static String currentLimit() {
        try {
            return Files.readString(LIMIT).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Why gntalloc refused {@code pages} pages, and what to do: a refusal for lack of room
     * (ENOSPC) is its {@code limit} module parameter, by default 1024 pages, less than one
     * 1080p frame.
     */
    static String refusal(int pages, int errno, String error, String limit) {
        String why = "gntalloc refused to grant dom0 " + pages + " pages for the frame region (" + error + ")";
        if (errno != GntallocNative.ENOSPC) {
            return why;
        }
        return why + ": it grants at most " + (limit != null ? limit : "its 'limit'") + " pages at once (module"
                + " parameter 'limit' of xen_gntalloc, 1024 unless raised). The polydesk-viewer package raises it"
                + " to " + SUGGESTED_LIMIT + " in /etc/modprobe.d/polydesk-viewer.conf, which takes effect when"
                + " xen_gntalloc is next loaded (restart this VM); now, as root: echo " + SUGGESTED_LIMIT + " > " + LIMIT
                + ". Or ask for fewer pages: --buffers 2, or a smaller --size.";
    }

    @Override
    public FrameRegion region() {
        return region;
    }

    @Override
    public ViewerMessage.Region offer() {
        return new ViewerMessage.XenGrants(domid, refs.clone());
    }

    @Override
    public void close() {
        GntallocNative.C.munmap(at, size);
        GntallocNative.C.close(fd);
    }
}
