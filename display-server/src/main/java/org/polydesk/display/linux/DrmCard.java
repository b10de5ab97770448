package org.polydesk.display.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A DRM card opened for kernel mode setting (/dev/dri/cardN): its connected monitors, dumb
 * buffers mapped into our memory, and page flips that complete on vertical blank. The first opener
 * of a card is its DRM master, which alone may set modes; {@link #dropMaster} lets the kernel's own
 * console have the screen, {@link #setMaster} takes it back.
 *
 * <p>libdrm's structures are read at their C offsets on 64-bit Linux: drmModeRes (counts at 0, 16,
 * 32, 48 and their arrays 8 bytes after each), drmModeConnector (88 bytes), drmModeEncoder,
 * drmModeModeInfo (68 bytes).
 */
public final class DrmCard implements AutoCloseable {
    private static final int MODE_INFO_SIZE = 68;
    private static final int MODE_TYPE_PREFERRED = 1 << 3;
    private static final int CONNECTED = 1;
    private static final int EVENT_FLIP_COMPLETE = 0x02;
    /** The kernel's names of connector types (drm_connector_enum_list), by DRM_MODE_CONNECTOR_*. */
    private static final String[] CONNECTOR_TYPES = {"Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite",
        "SVIDEO", "LVDS", "Component", "DIN", "DP", "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI", "DPI",
        "Writeback", "SPI", "USB"};

    private final String path;
    private final int fd;
    private final byte[] events = new byte[1024];
    /** The CRTCs with a flip asked for and not yet seen done (on the compositor's thread only). */
    private final Set<Integer> flipping = new HashSet<>();

    private DrmCard(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Opens {@code path}; fails when it is no KMS device with dumb buffers. */
    public static DrmCard open(String path) throws IOException {
        int fd = LibC.C.open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + path + ": " + strerror(Native.getLastError()));
        }
        DrmCard card = new DrmCard(path, fd);
        try {
            LongByReference dumb = new LongByReference();
            int r = LibDrm.DRM.drmGetCap(fd, LibDrm.DRM_CAP_DUMB_BUFFER, dumb);
            if (r != 0 || dumb.getValue() == 0) {
                throw new IOException(path + " has no KMS dumb buffers" + (r != 0 ? ": " + card.error(r) : ""));
            }
            return card;
        } catch (IOException | RuntimeException e) {
            LibC.C.close(fd);
            throw e;
        } catch (LinkageError e) {
            LibC.C.close(fd);
            throw new IOException("libdrm is not usable: " + e.getMessage(), e);
        }
    }

    public String path() {
        return path;
    }

    /**
     * The connected monitors, each with a CRTC of its own (monitors beyond the card's CRTCs are
     * left out) and its preferred mode (else its first).
     */
    public List<DrmHead> heads() throws IOException {
        Pointer res = LibDrm.DRM.drmModeGetResources(fd);
        if (res == null) {
            throw new IOException(path + " gave no mode-setting resources: " + strerror(Native.getLastError()));
        }
        try {
            int[] crtcs = res.getPointer(24).getIntArray(0, res.getInt(16));
            int[] connectors = res.getPointer(40).getIntArray(0, res.getInt(32));
            List<DrmHead> heads = new ArrayList<>();
            Set<Integer> used = new HashSet<>();
            for (int id : connectors) {
                DrmHead head = head(id, crtcs, used);
                if (head != null) {
                    heads.add(head);
                    used.add(head.crtcId());
                }
            }
            return heads;
        } finally {
            LibDrm.DRM.drmModeFreeResources(res);
        }
    }

    private DrmHead head(int connectorId, int[] crtcs, Set<Integer> used) {
        Pointer c = LibDrm.DRM.drmModeGetConnector(fd, connectorId);
        if (c == null) {
            return null; // gone since the resources were read
        }
        try {
            int modes = c.getInt(32);
            if (c.getInt(16) != CONNECTED || modes <= 0) {
                return null;
            }
            int type = c.getInt(8);
            String name = (type >= 0 && type < CONNECTOR_TYPES.length ? CONNECTOR_TYPES[type] : "Type" + type) + "-" + c.getInt(12);
            DrmHead.Mode mode = null;
            for (int i = 0; i < modes; i++) {
                Pointer m = c.getPointer(40).share((long) i * MODE_INFO_SIZE);
                if (mode == null || (m.getInt(32) & MODE_TYPE_PREFERRED) != 0) {
                    mode = new DrmHead.Mode(m.getShort(4) & 0xFFFF, m.getShort(14) & 0xFFFF, m.getInt(24),
                            m.getString(36), m.getByteArray(0, MODE_INFO_SIZE));
                    if ((m.getInt(32) & MODE_TYPE_PREFERRED) != 0) {
                        break;
                    }
                }
            }
            int crtc = crtcFor(c.getInt(4), c.getPointer(80).getIntArray(0, c.getInt(72)), crtcs, used);
            return crtc == 0 ? null : new DrmHead(connectorId, name, crtc, mode, c.getInt(20), c.getInt(24));
        } finally {
            LibDrm.DRM.drmModeFreeConnector(c);
        }
    }

    /** The CRTC driving the connector now if free, else the first free one its encoders can use; 0: none. */
    private int crtcFor(int currentEncoder, int[] encoders, int[] crtcs, Set<Integer> used) {
        if (currentEncoder != 0) {
            Pointer e = LibDrm.DRM.drmModeGetEncoder(fd, currentEncoder);
            if (e != null) {
                int crtc = e.getInt(8);
                LibDrm.DRM.drmModeFreeEncoder(e);
                if (crtc != 0 && !used.contains(crtc)) {
                    return crtc;
                }
            }
        }
        for (int id : encoders) {
            Pointer e = LibDrm.DRM.drmModeGetEncoder(fd, id);
            if (e == null) {
                continue;
            }
            int possible = e.getInt(12);
            LibDrm.DRM.drmModeFreeEncoder(e);
            for (int i = 0; i < crtcs.length && i < 32; i++) {
                if ((possible & (1 << i)) != 0 && !used.contains(crtcs[i])) {
                    return crtcs[i];
                }
            }
        }
        return 0;
    }

    /** The connectors with a monitor connected as the kernel last found them (no probe); empty if the card cannot say. */
    public Set<Integer> connectedIds() {
        Pointer res = LibDrm.DRM.drmModeGetResources(fd);
        if (res == null) {
            return Set.of();
        }
        try {
            Set<Integer> ids = new HashSet<>();
            for (int id : res.getPointer(40).getIntArray(0, res.getInt(32))) {
                if (connected(id)) {
                    ids.add(id);
                }
            }
            return ids;
        } finally {
            LibDrm.DRM.drmModeFreeResources(res);
        }
    }

    /**
     * Whether the monitor on {@code connectorId} is connected as the kernel last found it (after a
     * hot-plug interrupt, its output polling, or a status forced through sysfs); cheap: no probe.
     */
    public boolean connected(int connectorId) {
        Pointer c = LibDrm.DRM.drmModeGetConnectorCurrent(fd, connectorId);
        if (c == null) {
            return false;
        }
        try {
            return c.getInt(16) == CONNECTED;
        } finally {
            LibDrm.DRM.drmModeFreeConnector(c);
        }
    }

    /** A dumb buffer of {@code width} x {@code height} XRGB8888 pixels, added as a framebuffer and mapped. */
    public DumbBuffer createDumb(int width, int height) throws IOException {
        ByteBuffer create = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        create.putInt(0, height).putInt(4, width).putInt(8, 32);
        byte[] arg = create.array();
        int r = LibDrm.DRM.drmIoctl(fd, new NativeLong(LibDrm.DRM_IOCTL_MODE_CREATE_DUMB), arg);
        if (r != 0) {
            throw new IOException("cannot make a " + width + "x" + height + " dumb buffer on " + path + ": " + error(r));
        }
        ByteBuffer made = ByteBuffer.wrap(arg).order(ByteOrder.nativeOrder());
        int handle = made.getInt(16);
        int pitch = made.getInt(20);
        long size = made.getLong(24);
        IntByReference fb = new IntByReference();
        Pointer map = null;
        try {
            r = LibDrm.DRM.drmModeAddFB(fd, width, height, (byte) 24, (byte) 32, pitch, handle, fb);
            if (r != 0) {
                throw new IOException("cannot add a framebuffer on " + path + ": " + error(r));
            }
            ByteBuffer mapArg = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(0, handle);
            r = LibDrm.DRM.drmIoctl(fd, new NativeLong(LibDrm.DRM_IOCTL_MODE_MAP_DUMB), mapArg.array());
            if (r != 0) {
                throw new IOException("cannot map a dumb buffer of " + path + ": " + error(r));
            }
            long offset = mapArg.getLong(8);
            map = LibC.C.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, offset);
            if (map == null || Pointer.nativeValue(map) == -1L) {
                throw new IOException("cannot map " + size + " bytes of " + path + ": " + strerror(Native.getLastError()));
            }
            return new DumbBuffer(handle, fb.getValue(), width, height, pitch, size, map);
        } catch (IOException e) {
            if (fb.getValue() != 0) {
                LibDrm.DRM.drmModeRmFB(fd, fb.getValue());
            }
            destroyDumb(handle);
            throw e;
        }
    }

    private void destroyDumb(int handle) {
        LibDrm.DRM.drmIoctl(fd, new NativeLong(LibDrm.DRM_IOCTL_MODE_DESTROY_DUMB),
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, handle).array());
    }

    /** Shows {@code buffer} on {@code head} in the head's mode, at once (the first picture, and after master came back). */
    public void setCrtc(DrmHead head, DumbBuffer buffer) throws IOException {
        Memory mode = new Memory(MODE_INFO_SIZE);
        mode.write(0, head.mode().raw(), 0, MODE_INFO_SIZE);
        int r = LibDrm.DRM.drmModeSetCrtc(fd, head.crtcId(), buffer.fbId, 0, 0, new int[] {head.connectorId()}, 1, mode);
        if (r != 0) {
            throw new IOException("cannot set " + head + " on " + path + ": " + error(r));
        }
    }

    /** Asks for {@code buffer} on {@code head} at the next vertical blank; {@link #awaitFlip} waits for it. */
    public void pageFlip(DrmHead head, DumbBuffer buffer) throws IOException {
        int r = LibDrm.DRM.drmModePageFlip(fd, head.crtcId(), buffer.fbId, LibDrm.DRM_MODE_PAGE_FLIP_EVENT, null);
        if (r != 0) {
            throw new DrmException("cannot flip " + head.name() + " on " + path + ": " + error(r), errno(r));
        }
        flipping.add(head.crtcId());
    }

    /**
     * Waits up to {@code timeoutMs} for the flip asked of CRTC {@code crtcId}; true at once when none
     * is asked of it, false when it did not come (it is then given up). The flips of other CRTCs
     * read meanwhile are noted, so that their own wait ends at once.
     */
    public boolean awaitFlip(int crtcId, int timeoutMs) throws IOException {
        if (!flipping.contains(crtcId)) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        byte[] pollfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(0, fd)
                .putShort(4, LibC.POLLIN).array();
        while (true) {
            int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            int ready = LibC.C.poll(pollfd, new NativeLong(1), left);
            if (ready < 0) {
                int errno = Native.getLastError();
                if (errno == 4) { // EINTR
                    continue;
                }
                throw new IOException("cannot wait for " + path + ": " + strerror(errno));
            }
            if (ready == 0) {
                flipping.remove(crtcId);
                return false;
            }
            long n = LibC.C.read(fd, events, new NativeLong(events.length)).longValue();
            if (n < 0) {
                throw new IOException("cannot read the events of " + path + ": " + strerror(Native.getLastError()));
            }
            noteFlipsDone(ByteBuffer.wrap(events, 0, (int) n).order(ByteOrder.nativeOrder()), flipping);
            if (!flipping.contains(crtcId)) {
                return true;
            }
        }
    }

    /**
     * Takes the CRTCs whose flip is done out of {@code flipping}, for each flip-complete event in
     * {@code in} (what one read of the card gave); other events are passed over, and a malformed
     * length ends the reading.
     */
    static void noteFlipsDone(ByteBuffer in, Set<Integer> flipping) {
        for (int at = 0; at + 8 <= in.limit(); ) {
            int type = in.getInt(at);
            int length = in.getInt(at + 4);
            if (length < 8 || at + length > in.limit()) {
                return;
            }
            // struct drm_event_vblank: the CRTC's id at 28 (kernels since 4.12; 0 before: any flip)
            if (type == EVENT_FLIP_COMPLETE && length >= 32) {
                int crtc = in.getInt(at + 28);
                if (crtc == 0) {
                    flipping.clear();
                } else {
                    flipping.remove(crtc);
                }
            }
            at += length;
        }
    }

    /** Lets go of mode setting so another (the kernel's console) may draw; false when we were not master. */
    public boolean dropMaster() {
        return LibDrm.DRM.drmDropMaster(fd) == 0;
    }

    /** Takes mode setting back; fails while another process is master. */
    public void setMaster() throws IOException {
        int r = LibDrm.DRM.drmSetMaster(fd);
        if (r != 0) {
            throw new IOException("cannot become DRM master of " + path + ": " + error(r));
        }
    }

    /** Frees a buffer from {@link #createDumb}; it must not be on the screen. */
    public void destroy(DumbBuffer buffer) {
        LibC.C.munmap(buffer.map, buffer.size);
        LibDrm.DRM.drmModeRmFB(fd, buffer.fbId);
        destroyDumb(buffer.handle);
    }

    @Override
    public void close() {
        LibC.C.close(fd);
    }

    /** libdrm answers -1 with errno set, or (its mode calls) -errno. */
    private static int errno(int r) {
        return r < -1 ? -r : Native.getLastError();
    }

    private String error(int r) {
        return strerror(errno(r));
    }

    static String strerror(int errno) {
        return LibC.C.strerror(errno) + " (errno " + errno + ")";
    }

    /** A failed DRM call with its errno, so a sink can tell a lost master (EACCES) from a vanished head. */
    public static final class DrmException extends IOException {
        private final int errno;

        DrmException(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        /** EACCES or EPERM: another process is master now. */
        public boolean masterLost() {
            return errno == 13 || errno == 1;
        }
    }

    /** A dumb buffer: XRGB8888 rows {@code pitch} bytes apart, mapped at {@link #memory}. */
    public static final class DumbBuffer {
        private final int handle;
        private final int fbId;
        private final int width;
        private final int height;
        private final int pitch;
        private final long size;
        private final Pointer map;

        DumbBuffer(int handle, int fbId, int width, int height, int pitch, long size, Pointer map) {
            this.handle = handle;
            this.fbId = fbId;
            this.width = width;
            this.height = height;
            this.pitch = pitch;
            this.size = size;
            this.map = map;
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }

        public int pitch() {
            return pitch;
        }

        /** The mapped pixels, little-endian (XRGB8888 is B, G, R, X in memory). */
        public ByteBuffer memory() {
            return map.getByteBuffer(0, size).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
