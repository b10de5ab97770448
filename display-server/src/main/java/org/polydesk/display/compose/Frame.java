package org.polydesk.display.compose;

import java.util.Arrays;

/**
 * The composed picture that goes to a sink: opaque ARGB pixels (0xFFRRGGBB), row-major, stride =
 * width. Owned by the compositor's thread; sinks read it only inside {@code present}.
 */
public final class Frame {
    private final int width;
    private final int height;
    private final int[] pixels;

    public Frame(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("frame size " + width + "x" + height + " is not usable");
        }
        this.width = width;
        this.height = height;
        this.pixels = new int[width * height];
        Arrays.fill(pixels, 0xFF000000);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int[] pixels() {
        return pixels;
    }

    public int pixel(int x, int y) {
        return pixels[y * width + x];
    }

    /** A copy, for snapshots taken off the compositor's thread. */
    public int[] copyPixels() {
        return pixels.clone();
    }
}
