package org.polydesk.display.compose;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.linux.FreeType;

/**
 * A line of text in the display's font (DejaVu Sans, regular or bold, from fonts-dejavu-core, which
 * the package depends on), laid out and drawn onto a plain background: what the banners and the
 * "unavailable" page say. Without the font or libfreetype the labels show their colour only, and
 * the display goes on.
 */
final class TextLine {
    private static final Logger LOG = Logger.getLogger(TextLine.class.getName());
    private static final Path FONTS = Path.of("/usr/share/fonts/truetype/dejavu");
    private static final int ELLIPSIS = '…';

    private static FreeType regular;
    private static FreeType bold;
    private static boolean unavailable;

    private final List<FreeType.Glyph> glyphs;
    private final int ascent;
    private final int descent;
    /** Where each glyph's pen starts, in 26.6 pixels; the last entry is the line's end. */
    private final long[] pens;

    private TextLine(List<FreeType.Glyph> glyphs, int ascent, int descent) {
        this.glyphs = glyphs;
        this.ascent = ascent;
        this.descent = descent;
        this.pens = new long[glyphs.size() + 1];
        for (int i = 0; i < glyphs.size(); i++) {
            pens[i + 1] = pens[i] + glyphs.get(i).advance();
        }
    }

    /**
     * {@code text} at {@code fontPx}, cut with an ellipsis where it is wider than {@code maxWidth}
     * (a guest may choose a long name); null when there is no font to draw with.
     */
    static TextLine of(String text, int fontPx, boolean boldFace, int maxWidth) {
        FreeType font = font(boldFace);
        if (font == null) {
            return null;
        }
        try {
            synchronized (font) {
                font.pixelSize(fontPx);
                List<FreeType.Glyph> glyphs = new ArrayList<>();
                for (int cp : text.codePoints().toArray()) {
                    glyphs.add(font.glyph(Character.isISOControl(cp) ? ' ' : cp));
                }
                TextLine line = new TextLine(glyphs, font.ascent(), font.descent());
                if (line.width() <= maxWidth) {
                    return line;
                }
                FreeType.Glyph ellipsis = font.glyph(ELLIPSIS);
                int keep = glyphs.size();
                while (keep > 0 && pixels(line.pens[keep] + ellipsis.advance()) > maxWidth) {
                    keep--;
                }
                List<FreeType.Glyph> cut = new ArrayList<>(glyphs.subList(0, keep));
                cut.add(ellipsis);
                return new TextLine(cut, line.ascent, line.descent);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot draw the text '" + text + "': " + e.getMessage());
            return null;
        }
    }

    /** The width {@code text} takes at {@code fontPx}; 0 without a font. */
    static int width(String text, int fontPx, boolean boldFace) {
        TextLine line = of(text, fontPx, boldFace, Integer.MAX_VALUE);
        return line == null ? 0 : line.width();
    }

    int width() {
        return pixels(pens[glyphs.size()]);
    }

    /**
     * Draws the line centred in {@code argb} ({@code width x height}, a plain background), in
     * {@code foreground} blended over what is there by each pixel's coverage.
     */
    void drawCentred(int[] argb, int width, int height, int foreground) {
        int left = (width - width()) / 2;
        int baseline = (height - (ascent + descent)) / 2 + ascent;
        for (int i = 0; i < glyphs.size(); i++) {
            FreeType.Glyph g = glyphs.get(i);
            int x0 = left + (int) ((pens[i] + 32) >> 6) + g.left();
            int y0 = baseline - g.top();
            for (int y = 0; y < g.rows(); y++) {
                int py = y0 + y;
                if (py < 0 || py >= height) {
                    continue;
                }
                for (int x = 0; x < g.width(); x++) {
                    int px = x0 + x;
                    int a = g.coverage()[y * g.width() + x] & 0xFF;
                    if (a != 0 && px >= 0 && px < width) {
                        argb[py * width + px] = blend(argb[py * width + px], foreground, a);
                    }
                }
            }
        }
    }

    /** {@code over} on {@code under} at coverage {@code a} of 255, opaque. */
    private static int blend(int under, int over, int a) {
        int r = mix((under >> 16) & 0xFF, (over >> 16) & 0xFF, a);
        int g = mix((under >> 8) & 0xFF, (over >> 8) & 0xFF, a);
        int b = mix(under & 0xFF, over & 0xFF, a);
        return 0xFF000000 | r << 16 | g << 8 | b;
    }

    private static int mix(int under, int over, int a) {
        return (under * (255 - a) + over * a + 127) / 255;
    }

    private static int pixels(long fixed26dot6) {
        return (int) ((fixed26dot6 + 63) >> 6);
    }

    private static synchronized FreeType font(boolean boldFace) {
        if (unavailable) {
            return null;
        }
        try {
            if (regular == null) {
                regular = FreeType.open(FONTS.resolve("DejaVuSans.ttf"));
                bold = FreeType.open(FONTS.resolve("DejaVuSans-Bold.ttf"));
            }
        } catch (IOException e) {
            LOG.warning("labels show no text: " + e.getMessage());
            unavailable = true;
            return null;
        }
        return boldFace ? bold : regular;
    }
}
