package org.polydesk.display.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.nio.IntBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.framebuffer.Rect;

class CompositorTest {
    private static final VmLabel YELLOW = new VmLabel(3, "Windows 11", 0xE0C000);
    private static final VmLabel NAVY = new VmLabel(4, "Work", 0x102060);

    /**
     * A source whose every pixel says where it is, so a wrong copy cannot look right; XRGB with a
     * zero top byte, as servers send it, which the output must show opaque.
     */
    private static FrameBuffer pattern(int w, int h) {
        FrameBuffer fb = new FrameBuffer();
        fb.resize(w, h);
        IntBuffer px = fb.surface().pixels();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px.put(y * w + x, (x * 7 + y * 131) & 0xFFFFFF);
            }
        }
        return fb;
    }

    @Test
    void sameSizeSourceIsCopiedExactlyOnceTheBannerIsGone() {
        FrameBuffer fb = pattern(320, 200);
        Compositor c = new Compositor(320, 200, new IndicatorStyle(Duration.ofSeconds(1), 0));
        List<Rect> damage = c.show(new Content.Live(YELLOW, fb), true);
        assertTrue(damage.contains(new Rect(0, 0, 320, 200)));
        Rect banner = c.bannerRect();
        assertFalse(banner.isEmpty());
        int inBanner = 0;
        for (int x = banner.x(); x < banner.x() + banner.width(); x++) {
            inBanner += c.frame().pixel(x, banner.y() + 1) == (0xFF000000 | YELLOW.rgb()) ? 1 : 0;
        }
        assertTrue(inBanner > banner.width() / 2, "the banner is the VM's colour");
        assertEquals(fb.surface().pixel(10, 150), c.frame().pixel(10, 150), "outside the banner: the source");

        assertEquals(List.of(banner), c.hideBanner());
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 320; x++) {
                assertEquals(fb.surface().pixel(x, y), c.frame().pixel(x, y), "(" + x + "," + y + ")");
            }
        }
    }

    @Test
    void bannerTextContrastsWithTheColourAndSaysTheName() {
        Compositor c = new Compositor(640, 400, IndicatorStyle.DEFAULT);
        c.show(new Content.Live(YELLOW, pattern(640, 400)), true);
        assertTrue(countIn(c, c.bannerRect(), 0xFF000000) > 20, "black text on yellow");
        c.show(new Content.Live(NAVY, pattern(640, 400)), true);
        assertTrue(countIn(c, c.bannerRect(), 0xFFFFFFFF) > 20, "white text on navy");
        assertEquals(0xFF000000, Compositor.contrast(0xFFFF00));
        assertEquals(0xFFFFFFFF, Compositor.contrast(0x000080));
    }

    @Test
    void onlyDamagedRectanglesMoveAndTheBorderStays() {
        FrameBuffer fb = pattern(200, 100);
        Compositor c = new Compositor(200, 100, new IndicatorStyle(Duration.ZERO, 4));
        c.show(new Content.Live(NAVY, fb), false);
        assertEquals(0xFF000000 | NAVY.rgb(), c.frame().pixel(0, 0));
        assertEquals(0xFF000000 | NAVY.rgb(), c.frame().pixel(199, 99));
        assertEquals(0xFF000000 | NAVY.rgb(), c.frame().pixel(3, 50));
        assertEquals(fb.surface().pixel(4, 50), c.frame().pixel(4, 50));

        fb.surface().pixels().put(50 * 200 + 60, 0x123456);
        fb.surface().pixels().put(10 * 200 + 10, 0x654321);
        List<Rect> out = c.update(List.of(new Rect(60, 50, 1, 1)));
        assertTrue(out.contains(new Rect(60, 50, 1, 1)), out.toString());
        assertEquals(0xFF123456, c.frame().pixel(60, 50));
        assertEquals(fb.surface().pixel(10, 11), c.frame().pixel(10, 11));
        assertTrue(c.frame().pixel(10, 10) != 0xFF654321, "undamaged pixels are not copied");
    }

    @Test
    void otherSizesAreScaledWithBlackBarsAndAResizeRecomposesAll() {
        FrameBuffer fb = pattern(100, 100);
        Compositor c = new Compositor(300, 200, new IndicatorStyle(Duration.ZERO, 0));
        c.show(new Content.Live(YELLOW, fb), false);
        assertEquals(Compositor.LETTERBOX, c.frame().pixel(10, 100), "left bar");
        assertEquals(Compositor.LETTERBOX, c.frame().pixel(290, 100), "right bar");
        assertEquals(fb.surface().pixel(0, 0), c.frame().pixel(50, 0));
        assertEquals(fb.surface().pixel(99, 99), c.frame().pixel(249, 199));

        fb.resize(300, 200);
        List<Rect> out = c.update(List.of(new Rect(0, 0, 1, 1)));
        assertEquals(List.of(new Rect(0, 0, 300, 200)), out);
        assertEquals(FrameBuffer.OPAQUE_BLACK, c.frame().pixel(10, 100));
    }

    @Test
    void aGoneDisplaySaysSoWithTheNameAndIsNeverBlank() {
        Compositor c = new Compositor(640, 400, IndicatorStyle.DEFAULT);
        c.show(new Content.Unavailable(YELLOW, "display not available: the VM crashed"), true);
        assertEquals(Compositor.UNAVAILABLE_BACKGROUND, c.frame().pixel(5, 390));
        assertTrue(countIn(c, new Rect(0, 120, 640, 160), Compositor.UNAVAILABLE_TEXT) > 50, "words in the middle");
        assertTrue(c.update(List.of(new Rect(0, 0, 10, 10))).isEmpty(), "no source, nothing to update");
    }

    @Test
    void aLongNameIsCutToTheScreen() {
        Compositor c = new Compositor(320, 200, IndicatorStyle.DEFAULT);
        c.show(new Content.Live(new VmLabel(1, "x".repeat(500), 0x336699), pattern(320, 200)), true);
        Rect b = c.bannerRect();
        assertTrue(b.x() >= 0 && b.x() + b.width() <= 320, b.toString());
    }

    private static int countIn(Compositor c, Rect r, int argb) {
        int n = 0;
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            for (int x = r.x(); x < r.x() + r.width(); x++) {
                n += c.frame().pixel(x, y) == argb ? 1 : 0;
            }
        }
        return n;
    }
}
