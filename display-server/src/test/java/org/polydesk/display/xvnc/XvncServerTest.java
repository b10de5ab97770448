package org.polydesk.display.xvnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbConnection;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.rfb.RfbListener;
import org.polydesk.testsupport.TestProcesses;

/**
 * Against TigerVNC's Xvnc, the control UI's server. SetDesktopSize: a connection that wants the
 * sink's size gets it; a server that refuses keeps its size and says why (the compositor scales).
 * The pointer: asked for Cursor (our default) Xvnc sends its image apart and leaves it out of the
 * picture; the compositor, told where the pointer is, draws exactly what Xvnc would have drawn.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XvncServerTest {
    @TempDir
    Path dir;
    private final List<Process> servers = new ArrayList<>();
    /** The X display of the newest server. */
    private String display;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private Path xvnc(String geometry, String... extra) throws IOException, InterruptedException {
        Path socket = dir.resolve("vnc-" + servers.size() + ".sock");
        display = ":" + (40 + ProcessHandle.current().pid() % 400 + servers.size());
        List<String> cmd = new ArrayList<>(List.of("Xvnc", display,
                "-geometry", geometry, "-depth", "24", "-rfbport", "-1", "-rfbunixpath", socket.toString(),
                "-SecurityTypes", "None", "-nolisten", "tcp", "-AlwaysShared"));
        cmd.addAll(List.of(extra));
        servers.add(TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("xvnc-" + servers.size() + ".log").toFile())));
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(socket), "Xvnc opened " + socket);
        return socket;
    }

    /** The connection's message loop on another thread, until it is closed. */
    private static CompletableFuture<Void> running(RfbConnection c) {
        return CompletableFuture.runAsync(() -> {
            try {
                c.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void xvncTakesTheSizeWeAskForAndAgainWhenTheScreenChanges() throws Exception {
        FrameBuffer fb = new FrameBuffer();
        RfbConnection c = RfbConnection.open(RfbEndpoint.unix(xvnc("800x600")), RfbConfig.defaults(), fb, null);
        assertEquals(800, c.serverInfo().width());
        c.wantSize(1024, 768);
        CompletableFuture<Void> run = running(c);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((fb.width() != 1024 || fb.height() != 768) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertEquals(1024, fb.width(), "the frame buffer took the wanted size");
            assertEquals(768, fb.height());

            // the screen changed (a monitor swapped for another): asked again, and taken
            c.wantSize(1280, 720);
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((fb.width() != 1280 || fb.height() != 720) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertEquals(1280, fb.width(), "the frame buffer took the new size");
            assertEquals(720, fb.height());
        } finally {
            c.close();
            run.handle((v, e) -> null).get();
        }
    }

    @Test
    void aServerThatRefusesKeepsItsSizeAndSaysWhy() throws Exception {
        FrameBuffer fb = new FrameBuffer();
        CompletableFuture<String> refused = new CompletableFuture<>();
        RfbConnection c = RfbConnection.open(RfbEndpoint.unix(xvnc("800x600", "-AcceptSetDesktopSize=0")),
                RfbConfig.defaults(), fb, new RfbListener() {
                    @Override
                    public void desktopSizeRefused(int status, String meaning) {
                        refused.complete(status + " " + meaning);
                    }
                });
        c.wantSize(1024, 768);
        CompletableFuture<Void> run = running(c);
        try {
            assertEquals("1 resize is administratively prohibited", refused.get(20, TimeUnit.SECONDS));
            assertEquals(800, fb.width(), "the size stays; the compositor scales it");
            assertEquals(600, fb.height());
        } finally {
            c.close();
            run.handle((v, e) -> null).get();
        }
    }

    @Test
    void xvncLeavesThePointerToUsAndOurPointerIsTheOneXvncWouldHaveDrawn() throws Exception {
        Path socket = xvnc("320x240", "-br");
        // An X server shows no pointer until a window defines one, as the UI's windows do. No
        // cursor theme: the core cursor font's two-colour arrow, which RFB's Cursor carries exactly.
        ProcessBuilder xsetroot = new ProcessBuilder("xsetroot", "-cursor_name", "left_ptr").inheritIO();
        xsetroot.environment().put("DISPLAY", display);
        xsetroot.environment().put("XCURSOR_PATH", dir.resolve("no-cursor-themes").toString());
        assertEquals(0, xsetroot.start().waitFor(), "xsetroot gave the root window a pointer");

        FrameBuffer ours = picture(socket, RfbConfig.defaults(), fb -> !fb.cursor().isHidden());
        assertFalse(ours.cursor().isHidden(), "asked for Cursor, as sources are, Xvnc sends the pointer's image");
        assertEquals(0, lit(ours), "and leaves the pointer out of the picture");

        List<Integer> noCursor = Encodings.DEFAULT.stream().filter(e -> e != Encodings.CURSOR).toList();
        FrameBuffer xvncs = picture(socket, RfbConfig.defaults().withEncodings(noCursor), fb -> lit(fb) > 0);
        assertTrue(lit(xvncs) > 0, "not asked for Cursor, Xvnc draws the pointer into the picture");

        // input-server says the pointer is at (100, 100): the compositor draws Xvnc's own pointer there
        Compositor c = new Compositor(320, 240, new IndicatorStyle(Duration.ZERO, 0));
        c.show(new Content.Live(VmLabel.CONTROL_UI, ours), false);
        c.drawPointer(c.placePointer(100 / 319.0, 100 / 239.0));
        for (int y = AROUND.y(); y < AROUND.y() + AROUND.height(); y++) {
            for (int x = AROUND.x(); x < AROUND.x() + AROUND.width(); x++) {
                assertEquals(xvncs.surface().pixel(x, y), c.frame().pixel(x, y), "(" + x + "," + y + ")");
            }
        }
    }

    /** Where the pointer is looked for: around (100, 100), on a black root window with nothing else. */
    private static final Rect AROUND = new Rect(70, 70, 60, 60);

    private static int lit(FrameBuffer fb) {
        int n = 0;
        for (int y = AROUND.y(); y < AROUND.y() + AROUND.height(); y++) {
            for (int x = AROUND.x(); x < AROUND.x() + AROUND.width(); x++) {
                n += (fb.surface().pixel(x, y) & 0xFFFFFF) != 0 ? 1 : 0;
            }
        }
        return n;
    }

    /**
     * Moves Xvnc's pointer to (100, 100) over a connection with {@code config} and returns that
     * connection's picture once {@code done} holds (10 s at most) and a moment more has passed.
     */
    private static FrameBuffer picture(Path socket, RfbConfig config, Predicate<FrameBuffer> done) throws Exception {
        FrameBuffer fb = new FrameBuffer();
        RfbConnection c = RfbConnection.open(RfbEndpoint.unix(socket), config, fb, null);
        CompletableFuture<Void> run = running(c);
        try {
            // A move, also when an earlier connection left the pointer at (100, 100).
            c.sendPointerEvent(0, 20, 20);
            c.sendPointerEvent(0, 100, 100);
            for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < until; ) {
                Thread.sleep(250);
                if (fb.width() == 320 && done.test(fb)) {
                    break;
                }
            }
            Thread.sleep(500); // what Xvnc sends after: the rest of the same picture
            assertEquals(320, fb.width(), "the picture arrived");
            return fb;
        } finally {
            c.close();
            run.handle((v, e) -> null).get();
        }
    }
}
