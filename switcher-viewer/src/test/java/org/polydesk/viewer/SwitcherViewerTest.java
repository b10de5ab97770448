package org.polydesk.viewer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javafx.stage.StageStyle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.Pointer;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.Gntdev;
import org.polydesk.display.qemu.QemuGuest;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.viewer.RegionMapper;
import org.polydesk.display.viewer.ViewerSink;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.testsupport.Ppm;
import org.polydesk.testsupport.TestProcesses;
import org.polydesk.viewer.app.ViewerWindow;
import org.polydesk.viewer.region.SharedFileRegion;
import org.polydesk.viewer.session.ViewerSession;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The viewer end to end on one host: dom0's display server with two real QEMU guests sends its
 * frames through a shared file and its commands over a pty pair (socat, standing in for the
 * passthrough VM's serial port) to the real viewer, on JavaFX's headless Monocle at 1024x768; and
 * the pointer dom0 sends (CURSOR) drawn by the viewer where dom0 says.
 */
class SwitcherViewerTest {
    private static final int W = 1024;
    private static final int H = 768;
    private static final int PASSTHROUGH_SLOT = 3;

    @TempDir
    Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void javafx() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T t) {
        cleanup.add(t);
        return t;
    }

    private DisplayServer dom0(Path channel, Path shm, QemuGuest red, QemuGuest blue) {
        ViewerSink sink = ViewerSink.open(W, H, PASSTHROUGH_SLOT, channel, new RegionMapper(shm, null, null, new Gntdev()),
                Backoff.DEFAULT);
        // no banner: the viewer's pixels must equal the guest's own screen
        DisplayServer display = new DisplayServer(sink, new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(),
                Backoff.DEFAULT).start();
        display.vmStarted(new VmLabel(1, "Red", 0xC03030), RfbEndpoint.unix(red.vncSocket()));
        display.vmStarted(new VmLabel(2, "Blue", 0x3060C0), RfbEndpoint.unix(blue.vncSocket()));
        return display;
    }

    /** A pty pair (socat) standing in for the passthrough VM's serial port: dom0's end and the guest's. */
    private void serialPortPair(Path dom0End, Path guestEnd) throws Exception {
        Process socat = TestProcesses.start(new ProcessBuilder("socat", "pty,raw,echo=0,link=" + dom0End, "pty,raw,echo=0,link=" + guestEnd)
                .redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()));
        closeLater(socat::destroyForcibly);
        awaitFile(dom0End);
        awaitFile(guestEnd);
    }

    @Test
    void theViewerShowsTheFocusedGuestHidesForThePassthroughVmAndOutlivesDom0() throws Exception {
        Path shm = Files.createDirectories(dir.resolve("shm"));
        Path dom0End = dir.resolve("dom0-tty");
        Path guestEnd = dir.resolve("guest-tty");
        serialPortPair(dom0End, guestEnd);

        QemuGuest red = closeLater(QemuGuest.boot(dir.resolve("red"), dir.resolve("red.vnc"), "C03030"));
        QemuGuest blue = closeLater(QemuGuest.boot(dir.resolve("blue"), dir.resolve("blue.vnc"), "3060C0"));
        red.awaitReady();
        blue.awaitReady();

        DisplayServer display = dom0(dom0End, shm, red, blue);
        display.focus(1);

        // the viewer, as it starts in the passthrough guest
        SharedFileRegion region = closeLater(SharedFileRegion.create(shm, "polydesk-viewer-test", W, H, 3));
        ViewerWindow window = FxToolkit.setupFixture(() -> new ViewerWindow(new Stage(StageStyle.UNDECORATED),
                region.region()));
        ViewerSession session = closeLater(new ViewerSession(guestEnd,
                new ViewerMessage.Hello(W, H, region.offer()), window).start());

        awaitShowing(window, true);
        awaitScreen(window, red, "the focused guest, Red");

        display.focus(PASSTHROUGH_SLOT);
        awaitShowing(window, false);
        display.focus(2);
        awaitShowing(window, true);
        awaitScreen(window, blue, "Blue after the passthrough VM had focus");

        // dom0's display server restarts: the viewer hears nothing, says HELLO again, frames flow
        display.close();
        long hellos = session.hellos();
        DisplayServer again = dom0(dom0End, shm, red, blue);
        closeLater(again);
        again.focus(1);
        awaitScreen(window, red, "Red from the restarted display server");
        assertTrue(session.hellos() > hellos, "the viewer said HELLO again");
    }

    @Test
    void theViewerDrawsThePointerWhereDom0SaysAndHidesItWhenDom0KnowsNone() throws Exception {
        Path shm = Files.createDirectories(dir.resolve("shm"));
        Path dom0End = dir.resolve("dom0-tty");
        Path guestEnd = dir.resolve("guest-tty");
        serialPortPair(dom0End, guestEnd);
        ViewerSink sink = closeLater(ViewerSink.open(W, H, PASSTHROUGH_SLOT, dom0End,
                new RegionMapper(shm, null, null, new Gntdev()), Backoff.DEFAULT));
        sink.focused(1);
        SharedFileRegion region = closeLater(SharedFileRegion.create(shm, "polydesk-viewer-pointer", W, H, 2));
        ViewerWindow window = FxToolkit.setupFixture(() -> new ViewerWindow(new Stage(StageStyle.UNDECORATED),
                region.region()));
        closeLater(new ViewerSession(guestEnd, new ViewerMessage.Hello(W, H, region.offer()), window).start());
        awaitShowing(window, true);

        // a black screen from dom0, and a 3x2 pointer with its hot spot in the middle of the lower row
        CursorShape shape = new CursorShape(new int[] {
            0xFFFF0000, 0x00000000, 0xFF00FF00,
            0xFF0000FF, 0xFFFFFFFF, 0xFFFFFFFF}, 3, 2, 1, 1);
        int[][] places = {{200, 100}, {900, 700}};
        for (int[] at : places) {
            assertTrue(sink.showPointer(new Pointer(shape, at[0], at[1])), "the viewer draws dom0's pointer");
            awaitPointer(window, sink, shape, at, places);
        }
        sink.showPointer(null);
        awaitPointer(window, sink, null, null, places);
    }

    /** Waits until the viewer shows {@code shape} with its hot spot at {@code at} (null: no pointer) and black around it. */
    private static void awaitPointer(ViewerWindow window, ViewerSink sink, CursorShape shape, int[] at, int[][] places)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "nothing compared";
        while (System.nanoTime() < deadline) {
            sink.present(new Frame(W, H), List.of(new Rect(0, 0, W, H))); // black, until the viewer has it
            WritableImage shot = WaitForAsyncUtils.asyncFx(window::snapshot).get();
            last = null;
            for (int[] p : places) {
                for (int y = p[1] - 3; y <= p[1] + 3 && last == null; y++) {
                    for (int x = p[0] - 3; x <= p[0] + 3 && last == null; x++) {
                        int want = 0x000000;
                        if (at != null && at[0] == p[0]) {
                            int sx = x - at[0] + shape.hotX();
                            int sy = y - at[1] + shape.hotY();
                            if (sx >= 0 && sx < shape.width() && sy >= 0 && sy < shape.height()
                                    && shape.argb()[sy * shape.width() + sx] >>> 24 == 0xFF) {
                                want = shape.argb()[sy * shape.width() + sx] & 0xFFFFFF;
                            }
                        }
                        int got = shot.getPixelReader().getArgb(x, y) & 0xFFFFFF;
                        if (got != want) {
                            last = String.format("(%d,%d) is %06X, not %06X", x, y, got, want);
                        }
                    }
                }
            }
            if (last == null) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the viewer's pointer never was " + (at == null ? "gone" : "at " + at[0] + "," + at[1])
                + ": " + last);
    }

    private static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(p) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(p), p + " from socat");
    }

    private static void awaitShowing(ViewerWindow window, boolean showing) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (WaitForAsyncUtils.asyncFx(() -> window.stage().isShowing()).get() == showing) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the viewer's window never became " + (showing ? "shown" : "hidden"));
    }

    /** Waits until the viewer's window shows exactly the guest's own screendump. */
    private static void awaitScreen(ViewerWindow window, QemuGuest guest, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "nothing compared";
        while (System.nanoTime() < deadline) {
            Ppm ppm = guest.screendump();
            WritableImage shot = WaitForAsyncUtils.asyncFx(window::snapshot).get();
            last = difference(ppm, shot);
            if (last == null) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the viewer never showed " + what + " within 90 s: " + last);
    }

    private static String difference(Ppm ppm, WritableImage shot) {
        if (ppm.width() != (int) shot.getWidth() || ppm.height() != (int) shot.getHeight()) {
            return "viewer " + (int) shot.getWidth() + "x" + (int) shot.getHeight() + ", screendump " + ppm.width()
                    + "x" + ppm.height();
        }
        PixelReader r = shot.getPixelReader();
        long wrong = 0;
        String first = null;
        for (int y = 0; y < ppm.height(); y++) {
            for (int x = 0; x < ppm.width(); x++) {
                int got = r.getArgb(x, y) & 0xFFFFFF;
                if (got != ppm.rgbAt(x, y)) {
                    if (first == null) {
                        first = String.format("(%d,%d) is %06X, screendump %06X", x, y, got, ppm.rgbAt(x, y));
                    }
                    wrong++;
                }
            }
        }
        return wrong == 0 ? null : wrong + " pixels differ, first " + first;
    }
}
