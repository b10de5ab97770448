package org.polydesk.display.framebuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.List;

/**
 * One source's picture: 32-bit XRGB pixels (0x??RRGGBB, the top byte whatever the server sent) in
 * direct memory, row-major with an explicit stride, plus the damage since a consumer last drained it
 * and the source's cursor. Direct memory, so that Raw pixels go from the socket straight into place
 * and from there into the framebuffer with nothing but memory copies; readers that want opaque ARGB
 * get it from {@link Surface#pixel}, {@link Surface#copyRow} and {@link #copyPixels()}.
 *
 * <p>One thread (the source's decoder) writes; others read. The geometry is an immutable
 * {@link Surface} swapped as a whole on a resize, so a reader never pairs one memory with another
 * size. Pixels are written in place: a reader outside the source's frame callback may see a
 * half-applied update, which the damage of that update repaints once it completes.
 */
public final class FrameBuffer {

    /**
     * The pixels and their geometry at one moment; pixel (x, y) is {@code pixels().get(y * stride + x)},
     * little-endian in memory (B, G, R, X: the RFB pixel format we ask for, and XRGB8888). The memory
     * may be larger than {@code stride * height} (kept from a larger size). Shared between threads:
     * use only absolute gets and puts on {@link #pixels()}.
     */
    public static final class Surface {
        private final ByteBuffer memory;
        private final IntBuffer pixels;
        private final int width;
        private final int height;
        private final int stride;

        Surface(ByteBuffer memory, int width, int height, int stride) {
            this.memory = memory;
            this.pixels = memory.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            this.width = width;
            this.height = height;
            this.stride = stride;
        }

        public IntBuffer pixels() {
            return pixels;
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }

        public int stride() {
            return stride;
        }

        /** Pixel (x, y) as opaque ARGB. */
        public int pixel(int x, int y) {
            return pixels.get(y * stride + x) | OPAQUE_BLACK;
        }

        /** Copies {@code length} pixels of row {@code y} from column {@code x} into {@code dst} as opaque ARGB. */
        public void copyRow(int x, int y, int length, int[] dst, int offset) {
            pixels.get(y * stride + x, dst, offset, length);
            opaque(dst, offset, length);
        }

        /**
         * The bytes of {@code count} pixels from pixel index {@code index}, as a buffer of their own
         * (position 0, limit their length) for writing them in place.
         */
        public ByteBuffer bytes(int index, int count) {
            return memory.slice(index * 4, count * 4);
        }

        public Rect bounds() {
            return new Rect(0, 0, width, height);
        }
    }

    public static final int OPAQUE_BLACK = 0xFF000000;
    /** Direct buffers are indexed by int bytes. */
    private static final long MAX_PIXELS = (Integer.MAX_VALUE - 16) / 4;

    /** How many times the memory grew exactly to a new size before it grows by doubling. */
    public static final int EXACT_GROWTHS = 8;

    private final long maxPixels;
    /** How many times the memory grew; only the decoder's thread resizes. */
    private int growths;
    private volatile Surface surface = new Surface(ByteBuffer.allocateDirect(0), 0, 0, 0);
    private volatile CursorShape cursor = CursorShape.HIDDEN;
    private final Damage damage = new Damage();

    /** A frame buffer that may grow to any size its callers accept. */
    public FrameBuffer() {
        this(Integer.MAX_VALUE - 16);
    }

    /**
     * A frame buffer that never holds more than {@code maxPixels}: the callers' size limit, which
     * also bounds the memory a server can make us allocate by sending size after size.
     */
    public FrameBuffer(long maxPixels) {
        this.maxPixels = Math.min(maxPixels, MAX_PIXELS);
    }

    public long maxPixels() {
        return maxPixels;
    }

    public Surface surface() {
        return surface;
    }

    public int width() {
        return surface.width();
    }

    public int height() {
        return surface.height();
    }

    /**
     * Gives the frame buffer a new size, black and wholly damaged. The same size keeps the
     * pixels: servers (QEMU among them) repeat the size on every full refresh. A smaller size reuses
     * the memory. A larger one gets just what it needs for the first {@link #EXACT_GROWTHS} times
     * (a guest's boot goes through a few modes, 720x400 to 640x480 to 1024x768 to its own: memory
     * doubled each time held up to half as much again as the last mode needs, for good), and at least
     * double the memory after that (up to the limit), so a server that keeps growing the size
     * cannot make us allocate without bound.
     */
    public void resize(int width, int height) {
        long need = (long) width * height;
        if (width < 0 || height < 0 || need > maxPixels) {
            throw new IllegalArgumentException("size " + width + "x" + height + " outside 0.." + maxPixels + " pixels");
        }
        Surface s = surface;
        if (s.width() == width && s.height() == height) {
            return;
        }
        ByteBuffer memory = s.memory;
        if (need > s.pixels.capacity()) {
            // allocateDirect zeroes: XRGB black.
            long size = ++growths <= EXACT_GROWTHS ? need : Math.min(maxPixels, Math.max(need, 2L * s.pixels.capacity()));
            memory = ByteBuffer.allocateDirect((int) (4 * size));
        } else {
            int[] black = new int[(int) Math.min(need, 4096)];
            for (int i = 0; i < need; i += black.length) {
                s.pixels.put(i, black, 0, (int) Math.min(black.length, need - i));
            }
        }
        surface = new Surface(memory, width, height, width);
        damage.replaceAll(new Rect(0, 0, width, height));
    }

    /** Records that the pixels of {@code r} changed. */
    public void damage(Rect r) {
        damage.add(r);
    }

    /** The rectangles changed since the last call, and forgets them. */
    public List<Rect> drainDamage() {
        return damage.drain();
    }

    public boolean hasDamage() {
        return !damage.isEmpty();
    }

    public CursorShape cursor() {
        return cursor;
    }

    public void setCursor(CursorShape cursor) {
        this.cursor = cursor;
    }

    /** A copy of the visible pixels as opaque ARGB, {@code width * height} long, stride = width. */
    public int[] copyPixels() {
        Surface s = surface;
        int[] out = new int[s.width() * s.height()];
        for (int y = 0; y < s.height(); y++) {
            s.copyRow(0, y, s.width(), out, y * s.width());
        }
        return out;
    }

    /** Sets the top byte of {@code length} pixels from {@code offset}: XRGB to opaque ARGB. */
    public static void opaque(int[] pixels, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            pixels[i] |= OPAQUE_BLACK;
        }
    }
}
