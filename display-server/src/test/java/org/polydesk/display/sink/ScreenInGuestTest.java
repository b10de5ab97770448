package org.polydesk.display.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.qemu.QemuGuest;
import org.polydesk.testsupport.Ppm;
import org.polydesk.testsupport.TestGuest;

/**
 * The display server on a real screen: polydesk-display runs inside a test guest (the host's JDK
 * and our jars over virtio-9p, see tests/guest), showing a second guest's VNC server over the guest
 * network; the outer QEMU's screendump of the first guest must show the second guest's screen
 * under the trusted banner and border. The shown guest draws a counter that changes each second
 * ({@code polydesk.tick}), so each frame after the first is a small damaged area: the counter
 * must keep matching, which on KMS means that each flipped buffer got both its own damage and the
 * damage of the frame before.
 *
 * <p>On the guest's bochs-drm card (QEMU's {@code -vga std}): once through the framebuffer device
 * (its fbdev emulation), once by kernel mode setting with page flips, chosen by {@code --sink auto}.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class ScreenInGuestTest {
    private static final int SHOWN = 0x3060C0;
    private static final int INDICATOR = 0xE0A000;
    private static final int BORDER = 6;
    private static final int COUNTER_X = 128;
    private static final int COUNTER_Y = 32;
    @TempDir
    Path tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void framebufferSinkDrawsTheComposedFrameWithBannerOnDevFb0() throws Exception {
        showInGuest("framebuffer", "framebuffer:/dev/fb0", "framebuffer /dev/fb0 1024x768, 32 bpp", 1);
    }

    /** At scale 2 (HiDPI): the border and the banner measure twice what they do at 1x. */
    @Test
    void autoSinkChoosesKmsAndFlipsTheComposedFrameWithBannerAtScaleTwo() throws Exception {
        showInGuest("kms", "auto", "screen: kms /dev/dri/card0 ", 2);
    }

    /**
     * Runs the display server with {@code --sink sink} until its log says {@code chosen}, then checks
     * the screen; keeps the screen that passed and the guest's console as target/guest-run/screen/NAME.*.
     */
    private void showInGuest(String name, String sink, String chosen, int scale) throws Exception {
        int display = QemuGuest.freeVncDisplay();
        int port = 5900 + display;
        QemuGuest shown = QemuGuest.boot(tmp.resolve("shown"), "127.0.0.1:" + display, null, 256,
                TestGuest.cmdline(String.format("%06X", SHOWN)) + " polydesk.tick=1", List.of());
        cleanup.add(shown);
        shown.awaitReady();

        Path script = TestGuest.javaRunScript("screen", List.of(), "org.polydesk.display.daemon.DisplayMain",
                "--sink", sink, "--source", "1=Shown,#E0A000,tcp:10.0.2.2:" + port,
                "--initial-focus", "1", "--banner-ms", "3600000", "--border", String.valueOf(BORDER),
                "--scale", String.valueOf(scale),
                "--toolstack-socket", "/run/absent/polydeskd.sock", "--focus-socket", "/run/absent/input.sock",
                "--ui-vnc", "/run/absent/vnc.sock");
        Path dir = script.getParent();

        QemuGuest host = QemuGuest.boot(tmp.resolve("host"), "none", null, 1024,
                TestGuest.cmdlineRunning("202020", script),
                QemuGuest.runningArgs());
        cleanup.add(host);
        host.awaitReady();
        TestGuest.awaitConsole(host.console(), chosen, 120);

        // What the indicator measures at 1x on this screen, by the compositor itself.
        Compositor oneX = new Compositor(1024, 768, new IndicatorStyle(Duration.ofHours(1), BORDER, 1));
        oneX.show(new Content.Unavailable(new VmLabel(1, "Shown", INDICATOR), ""), true);
        int bannerHeight = scale * oneX.bannerRect().height();

        // The counter changes each second: a sample counts when the shown guest's counter was the
        // same before and after the host's screendump; three different counters must be seen right.
        Set<Integer> countersSeen = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        String why = "";
        while (System.nanoTime() < deadline) {
            Ppm before = shown.screendump();
            Ppm screen = host.screendump();
            Ppm after = shown.screendump();
            if (counter(before) != counter(after)) {
                continue;
            }
            why = check(screen, before, scale * BORDER, bannerHeight);
            if (why == null) {
                countersSeen.add(counter(before));
                if (countersSeen.size() >= 3) {
                    keep(screen, dir.resolve(name + ".png"));
                    Files.copy(host.console(), dir.resolve(name + ".console.log"), StandardCopyOption.REPLACE_EXISTING);
                    return;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the guest's screen did not show the composed frame with 3 counters (it did with "
                + countersSeen + "): " + why + "\nguest console:\n" + Files.readString(host.console()));
    }

    /** The shown guest's counter: 8 squares of 16x16 at (128,32), black for 1, bit 7 leftmost. */
    private static int counter(Ppm screen) {
        int n = 0;
        for (int bit = 0; bit < 8; bit++) {
            n = n << 1 | (screen.rgbAt(COUNTER_X + bit * 16 + 8, COUNTER_Y + 8) == 0 ? 1 : 0);
        }
        return n;
    }

    /**
     * Null when {@code screen} is {@code shown} inside a border {@code border} pixels thick, with a
     * banner {@code bannerHeight} pixels high at the top.
     */
    private static String check(Ppm screen, Ppm shown, int border, int bannerHeight) {
        if (screen.width() != shown.width() || screen.height() != shown.height()) {
            return "size " + screen.width() + "x" + screen.height();
        }
        int w = screen.width();
        int h = screen.height();
        for (int[] p : new int[][] {{0, 0}, {w - 1, h - 1}, {border - 1, h / 2}, {w / 2, h - border}}) {
            if (screen.rgbAt(p[0], p[1]) != INDICATOR) {
                return String.format("border pixel (%d,%d) is %06X", p[0], p[1], screen.rgbAt(p[0], p[1]));
            }
        }
        if (screen.rgbAt(border, h / 2) == INDICATOR) {
            return "the border is thicker than " + border + " pixels";
        }
        // the banner: the rows inside the border that hold its colour, in the upper third
        int top = -1;
        int bottom = -1;
        for (int y = border; y < h / 3; y++) {
            for (int x = border; x < w - border; x++) {
                if (screen.rgbAt(x, y) == INDICATOR) {
                    top = top < 0 ? y : top;
                    bottom = y;
                    break;
                }
            }
        }
        if (top < 0 || bottom - top + 1 != bannerHeight) {
            return "the banner is " + (top < 0 ? "not there" : (bottom - top + 1) + " pixels high") + ", not " + bannerHeight;
        }
        for (int y = COUNTER_Y; y < COUNTER_Y + 16; y++) {
            for (int x = COUNTER_X; x < COUNTER_X + 128; x++) {
                if (screen.rgbAt(x, y) != shown.rgbAt(x, y)) {
                    return String.format("the counter's pixel (%d,%d) is %06X, the shown guest has %06X", x, y,
                            screen.rgbAt(x, y), shown.rgbAt(x, y));
                }
            }
        }
        // Below the banner and inside the border, the shown guest exactly.
        for (int y = bottom + 1; y < h - border; y++) {
            for (int x = border; x < w - border; x++) {
                if (screen.rgbAt(x, y) != shown.rgbAt(x, y)) {
                    return String.format("(%d,%d) is %06X, the shown guest has %06X", x, y, screen.rgbAt(x, y),
                            shown.rgbAt(x, y));
                }
            }
        }
        assertEquals(SHOWN, screen.rgbAt(w / 2, h / 2));
        return null;
    }

    /** Keeps the screen that passed, for a person to look at. */
    private static void keep(Ppm screen, Path png) throws java.io.IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(screen.width(), screen.height(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < screen.height(); y++) {
            for (int x = 0; x < screen.width(); x++) {
                img.setRGB(x, y, screen.rgbAt(x, y));
            }
        }
        javax.imageio.ImageIO.write(img, "png", png.toFile());
    }
}
