package org.polydesk.display.compose;

import java.util.Arrays;

/** An opaque picture drawn once and copied into frames: text on a plain background. */
record Sprite(int[] argb, int width, int height) {

    /** {@code text} centred in a {@code width x height} box of {@code background}, in {@code foreground}. */
    static Sprite text(String text, int width, int height, int background, int foreground, int fontPx, boolean bold) {
        int w = Math.max(1, width);
        int h = Math.max(1, height);
        int[] argb = new int[w * h];
        Arrays.fill(argb, 0xFF000000 | background);
        TextLine line = TextLine.of(text, fontPx, bold, w - fontPx);
        if (line != null) {
            line.drawCentred(argb, w, h, 0xFF000000 | foreground);
        }
        return new Sprite(argb, w, h);
    }

    /** The width {@code text} takes in a font of {@code fontPx}. */
    static int textWidth(String text, int fontPx, boolean bold) {
        return TextLine.width(text, fontPx, bold);
    }

    /** Copies the part of this sprite at (x, y) in {@code frame} that lies inside {@code clip}. */
    void drawInto(Frame frame, int x, int y, org.polydesk.display.framebuffer.Rect clip) {
        int left = Math.max(x, clip.x());
        int top = Math.max(y, clip.y());
        int right = Math.min(Math.min(x + width, clip.x() + clip.width()), frame.width());
        int bottom = Math.min(Math.min(y + height, clip.y() + clip.height()), frame.height());
        for (int row = top; row < bottom && left < right; row++) {
            frame.put(left, row, argb, (row - y) * width + (left - x), right - left);
        }
    }
}
