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
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbConnection;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.rfb.RfbListener;

/**
 * SetDesktopSize against TigerVNC's Xvnc, the control UI's server: a connection that wants the
 * sink's size gets it; a server that refuses keeps its size and says why (the compositor scales).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XvncDesktopSizeTest {
    @TempDir
    Path dir;
    private final List<Process> servers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private Path xvnc(String geometry, String... extra) throws IOException, InterruptedException {
        Path socket = dir.resolve("vnc-" + servers.size() + ".sock");
        List<String> cmd = new ArrayList<>(List.of("Xvnc", ":" + (40 + ProcessHandle.current().pid() % 400 + servers.size()),
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

    @Test
    void xvncTakesTheSizeWeAskFor() throws Exception {
        FrameBuffer fb = new FrameBuffer();
        RfbConnection c = RfbConnection.open(RfbEndpoint.unix(xvnc("800x600")), RfbConfig.defaults(), fb, null);
        assertEquals(800, c.serverInfo().width());
        c.wantSize(1024, 768);
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                c.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
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
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                c.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            assertEquals("1 resize is administratively prohibited", refused.get(20, TimeUnit.SECONDS));
            assertEquals(800, fb.width(), "the size stays; the compositor scales it");
            assertEquals(600, fb.height());
        } finally {
            c.close();
            run.handle((v, e) -> null).get();
        }
    }
}
