package org.polydesk.display.compose;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/** An opaque picture drawn once and copied into frames: text on a plain background. */
record Sprite(int[] argb, int width, int height) {

    /** {@code text} centred in a {@code width x height} box of {@code background}, in {@code foreground}. */
    static Sprite text(String text, int width, int height, int background, int foreground, int fontPx, boolean bold) {
        BufferedImage img = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(background));
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, fontPx));
            FontMetrics m = g.getFontMetrics();
            String shown = fit(text, m, img.getWidth() - fontPx);
            g.setColor(new Color(foreground));
            g.drawString(shown, (img.getWidth() - m.stringWidth(shown)) / 2,
                    (img.getHeight() - m.getHeight()) / 2 + m.getAscent());
        } finally {
            g.dispose();
        }
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] |= 0xFF000000;
        }
        return new Sprite(px, img.getWidth(), img.getHeight());
    }

    /** The width {@code text} takes in a font of {@code fontPx}. */
    static int textWidth(String text, int fontPx, boolean bold) {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            return g.getFontMetrics(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, fontPx)).stringWidth(text);
        } finally {
            g.dispose();
        }
    }

    /** The text, cut with an ellipsis where it is wider than {@code max}: a guest may choose a long name. */
    private static String fit(String text, FontMetrics m, int max) {
        if (m.stringWidth(text) <= max) {
            return text;
        }
        String s = text;
        while (!s.isEmpty() && m.stringWidth(s + "…") > max) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
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
