package org.polydesk.display.framebuffer;

import java.util.Arrays;
import java.util.List;

/**
 * One source's picture: opaque ARGB pixels (0xFFRRGGBB) in an {@code int[]}, row-major with an
 * explicit stride, plus the damage since a consumer last drained it and the source's cursor.
 *
 * <p>One thread (the source's decoder) writes; others read. The geometry is an immutable
 * {@link Surface} swapped as a whole on a resize, so a reader never pairs one array with another
 * size. Pixels are written in place: a reader outside the source's frame callback may see a
 * half-applied update, which the damage of that update repaints once it completes.
 */
public final class FrameBuffer {

    /**
     * The pixels and their geometry at one moment; pixel (x, y) is {@code pixels[y * stride + x]}.
     * The array may be longer than {@code stride * height} (kept from a larger size).
     */
    public record Surface(int[] pixels, int width, int height, int stride) {

        public int pixel(int x, int y) {
            return pixels[y * stride + x];
        }

        public Rect bounds() {
            return new Rect(0, 0, width, height);
        }
    }

    public static final int OPAQUE_BLACK = 0xFF000000;

    private final long maxPixels;
    private volatile Surface surface = new Surface(new int[0], 0, 0, 0);
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
        this.maxPixels = Math.min(maxPixels, Integer.MAX_VALUE - 16);
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
     * Gives the frame buffer a new size, opaque black and wholly damaged. The same size keeps the
     * pixels: servers (QEMU among them) repeat the size on every full refresh. A smaller size reuses
     * the array and a larger one at least doubles it (up to the limit), so a server that keeps
     * changing size cannot make us allocate without bound.
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
        int[] pixels = s.pixels();
        if (need > pixels.length) {
            pixels = new int[(int) Math.min(maxPixels, Math.max(need, 2L * pixels.length))];
        }
        Arrays.fill(pixels, 0, (int) need, OPAQUE_BLACK);
        surface = new Surface(pixels, width, height, width);
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

    /** A copy of the visible pixels, {@code width * height} long, stride = width. */
    public int[] copyPixels() {
        Surface s = surface;
        int[] out = new int[s.width() * s.height()];
        for (int y = 0; y < s.height(); y++) {
            System.arraycopy(s.pixels(), y * s.stride(), out, y * s.width(), s.width());
        }
        return out;
    }
}
