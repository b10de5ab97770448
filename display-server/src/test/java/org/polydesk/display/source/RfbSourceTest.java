package org.polydesk.display.source;

import org.polydesk.protocol.rpc.Backoff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.display.testing.SourceWatcher;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RfbSourceTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200));

    @TempDir
    Path tmp;

    static byte[] screen(int rgb) {
        return ServerStream.handshake(4, 4).update(1).rect(0, 0, 4, 4, Encodings.RAW)
                .pixels(new int[] {rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb, rgb})
                .toByteArray();
    }

    @Test
    void backoffDoublesUpToItsCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertEquals(100, b.delay(1).toMillis());
        assertEquals(200, b.delay(2).toMillis());
        assertEquals(800, b.delay(4).toMillis());
        assertEquals(1000, b.delay(5).toMillis());
        assertEquals(1000, b.delay(Integer.MAX_VALUE).toMillis());
    }

    @Test
    void reconnectsWhenAServerComesBackOnTheSamePath() throws Exception {
        Path socket = tmp.resolve("vnc.sock");
        SourceWatcher w = new SourceWatcher();
        try (RfbSource s = new RfbSource("vm", RfbEndpoint.unix(socket), RfbConfig.defaults(), FAST, w).start()) {
            Thread.sleep(300); // nothing listens yet: the source retries quietly
            assertFalse(s.isConnected());
            try (FakeRfbServer first = new FakeRfbServer(socket, FakeRfbServer.sendThenHold(screen(0x112233)))) {
                w.await("connected", 5);
                awaitFrame(w, 0x112233);
            }
            w.await("disconnected", 5);
            assertFalse(s.isConnected());
            assertEquals(0xFF112233, s.frameBuffer().surface().pixel(0, 0), "the last picture stays");
            Thread.sleep(500); // several failed attempts at the vanished socket
            try (FakeRfbServer second = new FakeRfbServer(socket, FakeRfbServer.sendThenHold(screen(0x445566)))) {
                w.await("connected", 5);
                awaitFrame(w, 0x445566);
                assertTrue(s.isConnected());
                assertEquals(1, second.connections());
            }
        }
    }

    @Test
    void aListenerThatThrowsDoesNotDropTheConnection() throws Exception {
        Path socket = tmp.resolve("vnc.sock");
        SourceWatcher w = new SourceWatcher() {
            @Override
            public void frameUpdated(RfbSource source) {
                super.frameUpdated(source);
                throw new IllegalStateException("a buggy consumer");
            }
        };
        try (FakeRfbServer server = new FakeRfbServer(socket, FakeRfbServer.sendThenHold(screen(0x010203)));
             RfbSource s = new RfbSource("vm", RfbEndpoint.unix(socket), RfbConfig.defaults(), FAST, w).start()) {
            w.await("connected", 5);
            awaitFrame(w, 0x010203);
            Thread.sleep(200);
            assertTrue(s.isConnected());
            assertEquals(1, server.connections());
        }
    }

    @Test
    void closeStopsRetryingAtOnce() {
        RfbSource s = new RfbSource("gone", RfbEndpoint.unix(tmp.resolve("none.sock")), RfbConfig.defaults(),
                new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(5)), null).start();
        long t0 = System.nanoTime();
        s.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "close() waited for the backoff");
    }

    private static void awaitFrame(SourceWatcher w, int rgb) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            SourceWatcher.Frame f = w.latest();
            if (f != null && f.pixel(0, 0) == (0xFF000000 | rgb)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no frame of " + Integer.toHexString(rgb));
    }
}
