package org.polydesk.protocol.viewer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared frame region, version 1 (with {@link ViewerChannel}'s version): one page of header,
 * then {@code buffers} frames of {@code height} rows of {@code stride} bytes. Little-endian, as
 * both ends run on the same machine; a pixel is a 32-bit word 0xFFRRGGBB (JavaFX's INT_ARGB_PRE,
 * BGRA in memory), so the viewer shows a buffer without converting it.
 *
 * <pre>
 * offset  written by  field
 *   0     guest       u32 magic "PDFR" | u32 version | u32 header bytes (4096)
 *  12     guest       u32 width | u32 height | u32 stride (width × 4) | u32 pixel format (1)
 *  28     guest       u32 buffer count (2–4)
 *  32     guest       u32 buffer the viewer is showing (0xFFFFFFFF: none); dom0 avoids writing it
 *  64     dom0        u32 sequence: odd while dom0 writes the fields below (a seqlock)
 *  72     dom0        u64 frame serial (0: no frame yet) | u32 buffer holding it
 *  84     dom0        u32 damage count (0–16) | 16 × (u32 x, y, width, height): changed since the
 *                     previous frame
 * 4096    dom0        the buffers
 * </pre>
 *
 * The guest creates the region and says HELLO; dom0 checks the header once ({@link #attach}) and
 * from then on trusts only what it checked, never the guest's later writes (apart from the
 * bounds-checked "showing" field). dom0 writes a frame into a buffer that is neither the last
 * published one nor the one being shown, then publishes it under the seqlock.
 */
public final class FrameRegion {
    public static final int MAGIC = 0x52464450; // "PDFR" in memory
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 4096;
    public static final int FORMAT_XRGB8888 = 1;
    public static final int MIN_BUFFERS = 2;
    public static final int MAX_BUFFERS = 4;
    public static final int NONE = -1;
    /** The unit of a region made of granted pages (Xen): one reference per page. */
    public static final int PAGE_BYTES = 4096;

    private static final int OFF_MAGIC = 0;
    private static final int OFF_VERSION = 4;
    private static final int OFF_HEADER_BYTES = 8;
    private static final int OFF_WIDTH = 12;
    private static final int OFF_HEIGHT = 16;
    private static final int OFF_STRIDE = 20;
    private static final int OFF_FORMAT = 24;
    private static final int OFF_BUFFERS = 28;
    private static final int OFF_SHOWING = 32;
    private static final int OFF_SEQ = 64;
    private static final int OFF_SERIAL = 72;
    private static final int OFF_CURRENT = 80;
    private static final int OFF_DAMAGE_COUNT = 84;
    private static final int OFF_DAMAGE = 88;
    private static final int READ_ATTEMPTS = 1000;

    private static final VarHandle INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** A published frame as the viewer read it. Empty damage: the whole frame. */
    public record Published(long serial, int buffer, List<DamageRect> damage) {
    }

    private final ByteBuffer region;
    private final int width;
    private final int height;
    private final int buffers;
    private int sequence;

    private FrameRegion(ByteBuffer region, int width, int height, int buffers) {
        this.region = region;
        this.width = width;
        this.height = height;
        this.buffers = buffers;
    }

    public static long bytesFor(int width, int height, int buffers) {
        return HEADER_BYTES + (long) buffers * width * height * 4;
    }

    /** Pages that hold {@link #bytesFor} bytes: a region of Xen grants has exactly this many. */
    public static int pagesFor(int width, int height, int buffers) {
        return (int) ((bytesFor(width, height, buffers) + PAGE_BYTES - 1) / PAGE_BYTES);
    }

    /** Guest: lays out a new region in {@code memory} (at least {@link #bytesFor} bytes, zeroed or not). */
    public static FrameRegion create(ByteBuffer memory, int width, int height, int buffers) {
        if (width <= 0 || height <= 0 || width > ViewerChannel.MAX_SCREEN_SIDE || height > ViewerChannel.MAX_SCREEN_SIDE
                || buffers < MIN_BUFFERS || buffers > MAX_BUFFERS || memory.capacity() < bytesFor(width, height, buffers)) {
            throw new IllegalArgumentException("a region of " + memory.capacity() + " bytes for " + buffers + " buffers of "
                    + width + "x" + height);
        }
        ByteBuffer b = memory.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_VERSION, VERSION).putInt(OFF_HEADER_BYTES, HEADER_BYTES).putInt(OFF_WIDTH, width)
                .putInt(OFF_HEIGHT, height).putInt(OFF_STRIDE, width * 4).putInt(OFF_FORMAT, FORMAT_XRGB8888)
                .putInt(OFF_BUFFERS, buffers).putInt(OFF_SHOWING, NONE).putInt(OFF_SEQ, 0).putLong(OFF_SERIAL, 0)
                .putInt(OFF_CURRENT, 0).putInt(OFF_DAMAGE_COUNT, 0);
        INT.setRelease(b, OFF_MAGIC, MAGIC);
        return new FrameRegion(b, width, height, buffers);
    }

    /**
     * dom0: checks the guest's header in {@code memory} against its HELLO's screen. Every field
     * must be exactly as this version lays it out and the buffers must fit in {@code memory}.
     */
    public static FrameRegion attach(ByteBuffer memory, int width, int height) throws ViewerProtocolException {
        ByteBuffer b = memory.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.capacity() < HEADER_BYTES) {
            throw new ViewerProtocolException("frame region of " + b.capacity() + " bytes has no room for its header");
        }
        int magic = (int) INT.getAcquire(b, OFF_MAGIC);
        check(magic == MAGIC, String.format("frame region magic 0x%08x", magic));
        int version = b.getInt(OFF_VERSION);
        check(version == VERSION, "frame region version " + version + ", this end speaks " + VERSION);
        check(b.getInt(OFF_HEADER_BYTES) == HEADER_BYTES, "frame region header of " + b.getInt(OFF_HEADER_BYTES) + " bytes");
        int w = b.getInt(OFF_WIDTH);
        int h = b.getInt(OFF_HEIGHT);
        check(w == width && h == height, "frame region of " + Integer.toUnsignedString(w) + "x"
                + Integer.toUnsignedString(h) + " for a " + width + "x" + height + " screen");
        check(b.getInt(OFF_STRIDE) == width * 4, "frame region stride " + Integer.toUnsignedString(b.getInt(OFF_STRIDE)));
        check(b.getInt(OFF_FORMAT) == FORMAT_XRGB8888, "frame region pixel format " + b.getInt(OFF_FORMAT));
        int n = b.getInt(OFF_BUFFERS);
        check(n >= MIN_BUFFERS && n <= MAX_BUFFERS, "frame region with " + Integer.toUnsignedString(n) + " buffers");
        check(b.capacity() >= bytesFor(width, height, n), "frame region of " + b.capacity() + " bytes for " + n
                + " buffers of " + width + "x" + height);
        FrameRegion r = new FrameRegion(b, width, height, n);
        r.sequence = b.getInt(OFF_SEQ) & ~1;
        return r;
    }

    private static void check(boolean ok, String violation) throws ViewerProtocolException {
        if (!ok) {
            throw new ViewerProtocolException(violation);
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int buffers() {
        return buffers;
    }

    /** The pixels of {@code buffer}, row-major, stride = width. */
    public IntBuffer pixels(int buffer) {
        if (buffer < 0 || buffer >= buffers) {
            throw new IndexOutOfBoundsException("buffer " + buffer + " of " + buffers);
        }
        int size = width * height * 4;
        return region.slice(HEADER_BYTES + buffer * size, size).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    }

    // dom0's side

    /** The buffer the viewer says it shows, or {@link #NONE} (also for anything out of range). */
    public int showing() {
        int s = (int) INT.getAcquire(region, OFF_SHOWING);
        return s >= 0 && s < buffers ? s : NONE;
    }

    /** The buffer for the next frame: not the one last published ({@code current}), not the shown one. */
    public int nextBuffer(int current) {
        int showing = showing();
        for (int i = 1; i <= buffers; i++) {
            int candidate = (current + i) % buffers;
            if (candidate != current && candidate != showing) {
                return candidate;
            }
        }
        return (current + 1) % buffers; // two buffers, the viewer holding the other: it tears, never faults
    }

    /** Publishes frame {@code serial}, already written into {@code buffer}; more than 16 rectangles become one. */
    public void publish(long serial, int buffer, List<DamageRect> damage) {
        List<DamageRect> d = damage.size() > ViewerChannel.MAX_DAMAGE ? List.of(DamageRect.bounds(damage)) : damage;
        sequence += 2;
        INT.setOpaque(region, OFF_SEQ, sequence - 1);
        VarHandle.storeStoreFence();
        region.putLong(OFF_SERIAL, serial).putInt(OFF_CURRENT, buffer).putInt(OFF_DAMAGE_COUNT, d.size());
        for (int i = 0; i < d.size(); i++) {
            DamageRect r = d.get(i);
            int at = OFF_DAMAGE + 16 * i;
            region.putInt(at, r.x()).putInt(at + 4, r.y()).putInt(at + 8, r.width()).putInt(at + 12, r.height());
        }
        INT.setRelease(region, OFF_SEQ, sequence);
    }

    // the viewer's side

    /** The newest published frame, or null when none was published yet (or dom0 never stops writing). */
    public Published latest() {
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            int before = (int) INT.getAcquire(region, OFF_SEQ);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long serial = region.getLong(OFF_SERIAL);
            int buffer = region.getInt(OFF_CURRENT);
            int count = region.getInt(OFF_DAMAGE_COUNT);
            List<DamageRect> damage = new ArrayList<>();
            for (int i = 0; i < Math.min(Math.max(count, 0), ViewerChannel.MAX_DAMAGE); i++) {
                int at = OFF_DAMAGE + 16 * i;
                damage.add(new DamageRect(region.getInt(at), region.getInt(at + 4), region.getInt(at + 8),
                        region.getInt(at + 12)));
            }
            VarHandle.loadLoadFence();
            if ((int) INT.getOpaque(region, OFF_SEQ) != before) {
                continue;
            }
            if (serial == 0) {
                return null;
            }
            if (buffer < 0 || buffer >= buffers || damage.stream().anyMatch(r -> !r.within(width, height))) {
                damage = List.of(); // not as this version writes it: show the whole buffer it names, if any
                if (buffer < 0 || buffer >= buffers) {
                    return null;
                }
            }
            return new Published(serial, buffer, damage);
        }
        return null;
    }

    /** Tells dom0 which buffer the viewer shows, so it is not written while on screen. */
    public void showing(int buffer) {
        INT.setRelease(region, OFF_SHOWING, buffer);
    }
}
