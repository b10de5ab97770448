package org.polydesk.display.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.Scaling;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.qemu.QemuGuest;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.sink.PngSink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.testing.Snapshot;
import org.polydesk.testsupport.Ppm;

/**
 * The display server with two real QEMU guests of different screens: the snapshot sink shows the
 * focused guest exactly as its own screendump (1:1, and scaled with letterbox in a sink of another
 * shape), with the trusted banner in the VM's colour after each switch; a killed guest shows the
 * "display not available" screen while the server goes on, and its restart is reconnected.
 */
@Tag("system") // about two minutes of two TCG guests on 2 cores: mvn -Psystem verify
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DisplayServerQemuTest {
    private static final int RED = 0xC03030;
    private static final int BLUE = 0x3060C0;
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(500));
    @TempDir
    Path tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    private DisplayServer server(Path png, int width, int height) throws Exception {
        PngSink sink = new PngSink(png, width, height, Duration.ofMillis(100));
        return closeLater(new DisplayServer(sink, new IndicatorStyle(Duration.ofMillis(8000), 0),
                RfbConfig.defaults(), FAST).start());
    }

    @Test
    void showsTheFocusedGuestWithItsBannerSurvivesAKilledGuestAndReconnectsItsRestart() throws Exception {
        Path vnc1 = tmp.resolve("vm1.sock");
        Path vnc2 = tmp.resolve("vm2.sock");
        QemuGuest red = closeLater(QemuGuest.boot(tmp.resolve("vm1"), vnc1, "C03030"));
        red.awaitReady();
        QemuGuest blue = closeLater(QemuGuest.boot(tmp.resolve("vm2"), vnc2, "3060C0"));
        blue.awaitReady();
        Ppm redScreen = red.screendump();
        Ppm blueScreen = blue.screendump();
        assertEquals(RED, redScreen.rgbAt(redScreen.width() / 2, redScreen.height() / 2));

        Path png = tmp.resolve("screen.png");
        DisplayServer ds = server(png, redScreen.width(), redScreen.height());
        // A second server whose sink has another shape: the guests are scaled and letterboxed.
        Path widePng = tmp.resolve("wide.png");
        DisplayServer wide = server(widePng, 1280, 600);
        VmLabel redLabel = new VmLabel(1, "Red VM", 0xE0A000);
        VmLabel blueLabel = new VmLabel(2, "Blue VM", 0x20C0C0);
        for (DisplayServer s : List.of(ds, wide)) {
            s.vmStarted(redLabel, RfbEndpoint.unix(vnc1));
            s.vmStarted(blueLabel, RfbEndpoint.unix(vnc2));
        }

        // Until a VM has focus the control UI's slot shows, and it is not running here.
        Snapshot ui = Snapshot.await(png, 30, s -> s.centre() == 0x262626 ? null : "centre " + hex(s.centre()));
        assertTrue(bannerColour(ui, 0x4A6FA5), "the control UI's banner");

        for (int round = 0; round < 2; round++) {
            showsGuest(ds, png, 1, redScreen, redLabel);
            showsGuest(ds, png, 2, blueScreen, blueLabel);
        }
        wide.focus(2);
        Scaling fit = new Scaling(blueScreen.width(), blueScreen.height(), 1280, 600);
        // Generous: once (1 run in 6, with an ISO boot test beside it) this second connection's
        // first frame had not arrived within 30 s.
        Snapshot.await(widePng, 90, s -> s.differenceFrom(blueScreen, xy -> {
            Rect t = fit.target();
            int x = xy[0] - t.x();
            int y = xy[1] - t.y();
            return x < 0 || y < 0 || x >= t.width() || y >= t.height() ? null : new int[] {fit.column(x), fit.row(y)};
        }, null));
        assertEquals(800, fit.target().width(), "1024x768 fits 1280x600 as 800x600, letterboxed left and right");

        // The red guest dies while it has the focus: its slot says so, the server lives on.
        ds.focus(1);
        red.kill();
        Snapshot gone = Snapshot.await(png, 30, s -> s.centre() == 0x262626 ? null : "centre " + hex(s.centre()));
        assertTrue(textPixels(gone) > 200, "the unavailable screen has words on it");
        showsGuest(ds, png, 2, blueScreen, blueLabel);

        // It comes back on the same socket: the source reconnects by itself.
        QemuGuest again = closeLater(QemuGuest.boot(tmp.resolve("vm1b"), vnc1, "C03030"));
        again.awaitReady();
        showsGuest(ds, png, 1, again.screendump(), redLabel);
        java.nio.file.Files.copy(png, Path.of(System.getProperty("java.io.tmpdir"), "polydesk-last-screen.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Focuses {@code slot}: first the banner in the VM's colour, then, once it is gone, the guest 1:1. */
    private static void showsGuest(DisplayServer ds, Path png, int slot, Ppm screen, VmLabel label) throws Exception {
        ds.focus(slot);
        Snapshot.await(png, 30, s -> bannerColour(s, label.rgb()) ? null : "no banner in " + hex(label.rgb()));
        Snapshot.await(png, 30, s -> s.differenceFrom(screen, xy -> xy, null));
    }

    /** The banner sits centred at the top: its left end is the VM's colour. */
    private static boolean bannerColour(Snapshot s, int rgb) {
        Rect b = bannerArea(s);
        int found = 0;
        for (int x = b.x(); x < b.x() + b.width(); x++) {
            if (s.at(x, b.y() + b.height() / 2) == rgb) {
                found++;
            }
        }
        return found > 40;
    }

    /** Generous bounds of the banner: the top 1/8 of the screen, the middle 3/4 of its width. */
    private static Rect bannerArea(Snapshot s) {
        return new Rect(s.width() / 8, 0, s.width() * 3 / 4, s.height() / 8);
    }

    private static int textPixels(Snapshot s) {
        int n = 0;
        for (int y = s.height() / 3; y < s.height() * 2 / 3; y++) {
            for (int x = 0; x < s.width(); x++) {
                if (s.at(x, y) != 0x262626) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String hex(int rgb) {
        return String.format("%06X", rgb);
    }
}
