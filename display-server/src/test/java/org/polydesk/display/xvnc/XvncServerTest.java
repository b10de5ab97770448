package org.polydesk.display.xvnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbConnection;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.rfb.RfbListener;

/**
 * Against TigerVNC's Xvnc, the control UI's server. SetDesktopSize: a connection that wants the
 * sink's size gets it; a server that refuses keeps its size and says why (the compositor scales).
 * The pointer: with our default encodings Xvnc draws it into the picture, where it is seen.
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
        servers.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("xvnc-" + servers.size() + ".log").toFile()).start());
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
    void xvncTakesTheSizeWeAskFor() throws Exception {
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
    void xvncDrawsThePointerIntoThePictureUnlessItsImageIsAskedForApart() throws Exception {
        Path socket = xvnc("320x240", "-br");
        // An X server shows no pointer until a window defines one, as the UI's windows do.
        ProcessBuilder xsetroot = new ProcessBuilder("xsetroot", "-cursor_name", "left_ptr").inheritIO();
        xsetroot.environment().put("DISPLAY", display);
        assertEquals(0, xsetroot.start().waitFor(), "xsetroot gave the root window a pointer");
        assertTrue(pointerPixels(socket, RfbConfig.defaults()) > 0,
                "with the default encodings the pointer is in the picture where it was moved");
        assertEquals(0, pointerPixels(socket, RfbConfig.defaults().withEncodings(Encodings.DEFAULT)),
                "asked for the Cursor pseudo-encoding, Xvnc sends the image apart and leaves it out");
    }

    /**
     * Moves Xvnc's pointer to (100, 100) of its black root window and counts the pixels that are
     * not black around it once the picture settled; nothing else is on that screen.
     */
    private static int pointerPixels(Path socket, RfbConfig config) throws Exception {
        FrameBuffer fb = new FrameBuffer();
        RfbConnection c = RfbConnection.open(RfbEndpoint.unix(socket), config, fb, null);
        CompletableFuture<Void> run = running(c);
        try {
            // A move, also when an earlier connection left the pointer at (100, 100).
            c.sendPointerEvent(0, 20, 20);
            c.sendPointerEvent(0, 100, 100);
            int lit = 0;
            // Xvnc sends what changed: wait for the pointer to be drawn, 10 s at most.
            for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < until; ) {
                Thread.sleep(250);
                if (fb.width() != 320) {
                    continue; // the first picture is not there yet
                }
                int[] px = fb.copyPixels();
                lit = 0;
                for (int y = 70; y < 130; y++) {
                    for (int x = 70; x < 130; x++) {
                        lit += (px[y * fb.width() + x] & 0xFFFFFF) != 0 ? 1 : 0;
                    }
                }
                if (lit > 0) {
                    break;
                }
            }
            assertEquals(320, fb.width(), "the picture arrived");
            return lit;
        } finally {
            c.close();
            run.handle((v, e) -> null).get();
        }
    }
}
