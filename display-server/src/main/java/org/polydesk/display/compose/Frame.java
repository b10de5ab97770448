package org.polydesk.display.compose;

import java.nio.IntBuffer;
import java.util.Arrays;
import org.polydesk.display.framebuffer.FrameBuffer;

/**
 * The composed picture that goes to a sink, row-major. Either on the heap (stride = width), opaque
 * ARGB pixels (0xFFRRGGBB) which a sink copies from in {@code present}; or in a sink's own memory
 * (the mapped framebuffer), XRGB whose top byte the device ignores, which the compositor then draws
 * straight into and nothing copies afterwards. Owned by the compositor's thread; sinks read it only
 * inside {@code present}.
 */
public final class Frame {
    private final int width;
    private final int height;
    /** On the heap: the pixels; null for a frame in a sink's memory. */
    private final int[] pixels;
    /** In a sink's memory: pixel (x, y) is {@code memory.get(origin + y * stride + x)}. */
    private IntBuffer memory;
    private final int origin;
    private final int stride;
    /** One row of {@code fillColour}, so fills of a sink's memory are bulk copies. */
    private int[] fillRow = new int[0];
    private int fillColour;

    /** A frame on the heap, opaque black. */
    public Frame(int width, int height) {
        this(width, height, null, 0, width);
    }

    private Frame(int width, int height, IntBuffer memory, int origin, int stride) {
        if (width <= 0 || height <= 0 || (long) width * height > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("frame size " + width + "x" + height + " is not usable");
        }
        this.width = width;
        this.height = height;
        this.memory = memory;
        this.origin = origin;
        this.stride = stride;
        if (memory == null) {
            this.pixels = new int[width * height];
            Arrays.fill(pixels, 0xFF000000);
        } else {
            this.pixels = null;
            if (stride < width || (long) origin + (long) (height - 1) * stride + width > memory.limit()) {
                throw new IllegalArgumentException("a " + width + "x" + height + " frame with stride " + stride
                        + " at " + origin + " does not fit " + memory.limit() + " pixels of memory");
            }
        }
    }

    /**
     * A frame in a sink's own memory of 32-bit pixels whose low three bytes are R, G, B from the
     * top (XRGB8888 in the memory's byte order): pixel (x, y) at {@code origin + y * stride + x}.
     */
    public static Frame inMemory(IntBuffer memory, int origin, int stride, int width, int height) {
        return new Frame(width, height, memory, origin, stride);
    }

    /**
     * Moves a frame in a sink's memory to {@code next}, another buffer of the same layout: a
     * page-flipping sink has the compositor draw each frame into the buffer not on the screen.
     */
    public void retarget(IntBuffer next) {
        if (memory == null) {
            throw new IllegalStateException("a frame on the heap has no sink memory to move");
        }
        if ((long) origin + (long) (height - 1) * stride + width > next.limit()) {
            throw new IllegalArgumentException("a " + width + "x" + height + " frame with stride " + stride
                    + " does not fit " + next.limit() + " pixels of memory");
        }
        memory = next;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether this frame lies in a sink's memory (and has no {@link #pixels()} array). */
    public boolean inSinkMemory() {
        return memory != null;
    }

    /** The pixels of a heap frame, stride = width. */
    public int[] pixels() {
        if (pixels == null) {
            throw new IllegalStateException("a frame in a sink's memory has no pixel array");
        }
        return pixels;
    }

    /** Pixel (x, y) as opaque ARGB. */
    public int pixel(int x, int y) {
        return pixels != null ? pixels[y * width + x] : memory.get(origin + y * stride + x) | 0xFF000000;
    }

    /** A copy as opaque ARGB, for snapshots taken off the compositor's thread. */
    public int[] copyPixels() {
        if (pixels != null) {
            return pixels.clone();
        }
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            memory.get(origin + y * stride, out, y * width, width);
        }
        FrameBuffer.opaque(out, 0, out.length);
        return out;
    }

    /**
     * Copies {@code length} pixels of row {@code y} from column {@code x} into {@code dst} from
     * {@code index}, as they are held: opaque ARGB from the heap, XRGB from a sink's memory.
     */
    public void copyRow(int x, int y, int length, IntBuffer dst, int index) {
        if (pixels != null) {
            dst.put(index, pixels, y * width + x, length);
        } else {
            dst.put(index, memory, origin + y * stride + x, length);
        }
    }

    /** Copies {@code length} pixels from {@code src[offset]} into row {@code y} from column {@code x}. */
    void put(int x, int y, int[] src, int offset, int length) {
        if (pixels != null) {
            System.arraycopy(src, offset, pixels, y * width + x, length);
        } else {
            memory.put(origin + y * stride + x, src, offset, length);
        }
    }

    /**
     * Copies {@code length} XRGB pixels from {@code src.get(index)} into row {@code y} from column
     * {@code x}: into a sink's memory as they are, onto the heap made opaque.
     */
    void put(int x, int y, IntBuffer src, int index, int length) {
        if (pixels != null) {
            src.get(index, pixels, y * width + x, length);
            FrameBuffer.opaque(pixels, y * width + x, length);
        } else {
            memory.put(origin + y * stride + x, src, index, length);
        }
    }

    /** Sets {@code length} pixels of row {@code y} from column {@code x} to {@code argb}. */
    void fill(int x, int y, int length, int argb) {
        if (pixels != null) {
            Arrays.fill(pixels, y * width + x, y * width + x + length, argb);
            return;
        }
        if (fillColour != argb || fillRow.length < width) {
            if (fillRow.length < width) {
                fillRow = new int[width];
            }
            Arrays.fill(fillRow, argb);
            fillColour = argb;
        }
        memory.put(origin + y * stride + x, fillRow, 0, length);
    }
}
