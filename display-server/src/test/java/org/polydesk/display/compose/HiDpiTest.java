package org.polydesk.display.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.polydesk.display.framebuffer.FrameBuffer;

/**
 * HiDPI: on the same screen, the indicator and the labels drawn at 2x measure twice what they do
 * at 1x, measured on the composed picture; the scale a monitor calls for follows its density.
 */
class HiDpiTest {
    private static final VmLabel VM = new VmLabel(2, "Windows 11", 0xE0A000);
    private static final int W = 1600;
    private static final int H = 900;

    @Test
    void atTwiceTheScaleTheBorderBannerAndTextMeasureTwice() {
        Measured one = measure(1);
        Measured two = measure(2);
        assertEquals(2 * one.border, two.border, "border thickness");
        assertEquals(2 * one.bannerHeight, two.bannerHeight, "banner height");
        assertTrue(Math.abs(two.bannerWidth - 2 * one.bannerWidth) <= 6, "banner width " + one.bannerWidth + " -> " + two.bannerWidth);
        assertTrue(Math.abs(two.textHeight - 2 * one.textHeight) <= 2, "text height " + one.textHeight + " -> " + two.textHeight);
        Measured oneAndAHalf = measure(1.5);
        assertEquals(Math.round(1.5 * one.border), oneAndAHalf.border);
        assertEquals(Math.round(1.5 * one.bannerHeight), oneAndAHalf.bannerHeight, 1);
    }

    @Test
    void theUserSetsTheScaleForEveryMonitorOrOneByName() {
        HeadScales s = HeadScales.parse("1.5 eDP-1=2, HDMI-A-1=auto");
        assertEquals(2.0, s.on("eDP-1", 1));
        assertEquals(1.25, s.on("HDMI-A-1", 1.25), "auto: the monitor's own");
        assertEquals(1.5, s.on("DP-1", 1), "not named: the one for every monitor");
        assertEquals(1.0, HeadScales.parse("auto").on("DP-1", 1));
        assertEquals(2.0, HeadScales.parse("2").on("DP-1", 1));
        for (String bad : new String[] {"3", "eDP-1=3", "1 2", "eDP-1=2 eDP-1=1", "=2"}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> HeadScales.parse(bad), bad);
        }
    }

    @Test
    void theMonitorsDensityChoosesTheScale() {
        assertEquals(1.0, OutputScale.of(1920, 531)); // 24-inch 1080p, 92 dpi
        assertEquals(1.5, OutputScale.of(3840, 597)); // 27-inch 4K, 163 dpi
        assertEquals(2.0, OutputScale.of(3840, 294)); // 13-inch 4K laptop, 332 dpi -> at most 2
        assertEquals(1.25, OutputScale.of(2560, 552)); // 25-inch 1440p, 118 dpi
        assertEquals(1.0, OutputScale.of(3840, 0)); // size unknown
        assertEquals(1.0, OutputScale.of(1920, 16)); // a television's aspect ratio instead of its size
        assertEquals(IndicatorStyle.AUTO, OutputScale.parse("auto"));
        assertEquals(1.25, OutputScale.parse("1.25"));
        assertThrows(IllegalArgumentException.class, () -> OutputScale.parse("3"));
        assertThrows(IllegalArgumentException.class, () -> OutputScale.parse("big"));
        assertEquals(1.5, new IndicatorStyle(Duration.ZERO, 0).scaleOn(1.5), "auto follows the monitor");
        assertEquals(2.0, new IndicatorStyle(Duration.ZERO, 0, 2).scaleOn(1.5), "a set scale wins");
    }

    private record Measured(int border, int bannerWidth, int bannerHeight, int textHeight) {
    }

    /** Composes a black source with banner and a 4-pixel border at {@code scale}; measures the picture. */
    private static Measured measure(double scale) {
        FrameBuffer black = new FrameBuffer();
        black.resize(W, H);
        Compositor c = new Compositor(new Frame(W, H), new IndicatorStyle(Duration.ofSeconds(5), 4, scale), 1);
        c.show(new Content.Live(VM, black), true);
        Frame f = c.frame();
        int colour = 0xFF000000 | VM.rgb();
        int border = 0;
        while (f.pixel(border, H / 2) == colour) {
            border++;
        }
        // the banner: the VM's colour inside the border, as a bounding box; the text in it: what is not
        int top = H;
        int bottom = -1;
        int left = W;
        int right = -1;
        for (int y = border; y < H - border; y++) {
            for (int x = border; x < W - border; x++) {
                if (f.pixel(x, y) == colour) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
            }
        }
        int textTop = H;
        int textBottom = -1;
        for (int y = top; y <= bottom; y++) {
            for (int x = left; x <= right; x++) {
                if (f.pixel(x, y) != colour) {
                    textTop = Math.min(textTop, y);
                    textBottom = Math.max(textBottom, y);
                }
            }
        }
        return new Measured(border, right - left + 1, bottom - top + 1, textBottom - textTop + 1);
    }
}
