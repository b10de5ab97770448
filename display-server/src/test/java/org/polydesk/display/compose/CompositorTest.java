package org.polydesk.display.compose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.nio.IntBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.polydesk.display.framebuffer.CursorShape;
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

    /** A 3x2 pointer with its hot spot in the middle of the lower row; two pixels transparent. */
    private static final CursorShape SHAPE = new CursorShape(new int[] {
        0xFFFF0000, 0x00FFFFFF, 0xFF00FF00,
        0xFF0000FF, 0xFFFFFFFF, 0x00123456}, 3, 2, 1, 1);

    /** The frame shows the shape's opaque pixels with the hot spot at (x, y) and the source elsewhere in {@code area}. */
    private static void assertPointerAt(Compositor c, FrameBuffer fb, int x, int y, Rect area) {
        for (int py = area.y(); py < area.y() + area.height(); py++) {
            for (int px = area.x(); px < area.x() + area.width(); px++) {
                int sx = px - x + SHAPE.hotX();
                int sy = py - y + SHAPE.hotY();
                boolean onShape = sx >= 0 && sx < 3 && sy >= 0 && sy < 2 && (SHAPE.argb()[sy * 3 + sx] >>> 24) == 0xFF;
                int want = onShape ? SHAPE.argb()[sy * 3 + sx] : fb.surface().pixel(px, py);
                assertEquals(want, c.frame().pixel(px, py), "(" + px + "," + py + ")");
            }
        }
    }

    @Test
    void thePointerIsDrawnWhereItIsOverTheGuestAndMovesWithTheDamageOfBothPlaces() {
        FrameBuffer fb = pattern(200, 100);
        fb.setCursor(SHAPE);
        Compositor c = new Compositor(200, 100, new IndicatorStyle(Duration.ZERO, 4));
        c.show(new Content.Live(NAVY, fb), false);
        Pointer p = c.placePointer(50 / 199.0, 40 / 99.0);
        assertEquals(new Pointer(SHAPE, 50, 40), p);
        assertEquals(List.of(new Rect(49, 39, 3, 2)), c.drawPointer(p));
        assertPointerAt(c, fb, 50, 40, new Rect(40, 30, 20, 20));
        assertEquals(List.of(), c.drawPointer(c.placePointer(50 / 199.0, 40 / 99.0)), "the same place: nothing moves");

        // to the lower right, where the border takes the pointer's right column
        Pointer corner = c.placePointer(195 / 199.0, 95 / 99.0);
        assertEquals(List.of(new Rect(49, 39, 3, 2), new Rect(194, 94, 2, 2)), c.drawPointer(corner));
        assertPointerAt(c, fb, -100, -100, new Rect(40, 30, 20, 20));
        assertPointerAt(c, fb, 195, 95, new Rect(180, 80, 16, 16));
        assertEquals(0xFF000000 | NAVY.rgb(), c.frame().pixel(196, 94), "the border stays over the pointer");

        // the guest redraws under the pointer: the pointer stays on top
        fb.surface().pixels().put(95 * 200 + 194, 0x0000AA);
        fb.surface().pixels().put(95 * 200 + 195, 0x0000AA);
        c.update(List.of(new Rect(190, 90, 6, 6)));
        assertEquals(0xFF0000FF, c.frame().pixel(194, 95));
        assertEquals(0xFFFFFFFF, c.frame().pixel(195, 95));

        // no place known, or the guest hid its pointer: it goes, and only its rectangle is repainted
        assertEquals(List.of(new Rect(194, 94, 2, 2)), c.drawPointer(null));
        assertPointerAt(c, fb, -100, -100, new Rect(180, 80, 16, 16));
        fb.setCursor(CursorShape.HIDDEN);
        assertEquals(null, c.placePointer(0.5, 0.5));
    }

    @Test
    void thePointerNeverCoversTheBannerAndShowsOnceTheBannerGoes() {
        FrameBuffer fb = pattern(320, 200);
        fb.setCursor(SHAPE);
        Compositor c = new Compositor(320, 200, new IndicatorStyle(Duration.ofSeconds(1), 0));
        c.show(new Content.Live(YELLOW, fb), true);
        Rect banner = c.bannerRect();
        int x = banner.x() + banner.width() / 2;
        int y = banner.y() + banner.height() / 2;
        int[] before = c.frame().copyPixels();
        List<Rect> damage = c.drawPointer(c.placePointer(x / 319.0, y / 199.0));
        assertTrue(damage.stream().noneMatch(banner::intersects), damage + " touches the banner " + banner);
        assertArrayEquals(before, c.frame().copyPixels(), "the pointer under the banner is not seen");
        c.hideBanner();
        assertPointerAt(c, fb, x, y, new Rect(x - 5, y - 5, 10, 10));
    }

    @Test
    void aScaledGuestsPointerIsWhereItsPixelIsShownAtItsOwnSize() {
        FrameBuffer fb = pattern(100, 100);
        fb.setCursor(SHAPE);
        Compositor c = new Compositor(300, 200, new IndicatorStyle(Duration.ZERO, 0));
        c.show(new Content.Live(YELLOW, fb), false);
        Scaling s = new Scaling(100, 100, 300, 200);
        for (int sx : new int[] {0, 1, 37, 98, 99}) {
            Pointer p = c.placePointer(sx / 99.0, (99 - sx) / 99.0);
            assertEquals(sx, s.column(p.x() - s.target().x()), "column under the hot spot");
            assertEquals(99 - sx, s.row(p.y() - s.target().y()), "row under the hot spot");
        }
        Pointer p = c.placePointer(0.5, 0.5);
        c.drawPointer(p);
        assertEquals(SHAPE.argb()[4], c.frame().pixel(p.x(), p.y()));
        assertEquals(SHAPE.argb()[0], c.frame().pixel(p.x() - 1, p.y() - 1), "unscaled: one pixel of shape, one of output");
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
