package org.polydesk.display.rfb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.source.RfbSource;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.display.testing.SourceWatcher;
import org.polydesk.display.testing.ZrleEncoder;

/**
 * A fake server on a real UNIX socket sends each kind of bad message; the client must fail with an
 * RfbProtocolException that names the problem, promptly, and nothing else may break.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileServerTest {
    private static final RfbConfig CONFIG = RfbConfig.defaults()
            .withSizeLimits(4096, 4096, 4096L * 2048)
            .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(300));

    @TempDir
    Path tmp;

    static ServerStream ok() {
        return ServerStream.handshake(64, 48);
    }

    static byte[] zrle(byte[] tiles) {
        byte[] z = new ZrleEncoder().compress(tiles);
        return new ServerStream().u32(z.length).bytes(z).toByteArray();
    }

    static Arguments bad(String name, String reason, Supplier<ServerStream> stream) {
        return Arguments.of(name, reason, stream);
    }

    static Stream<Arguments> hostileStreams() {
        return Stream.of(
                bad("not RFB", "not an RFB server", () -> new ServerStream().ascii("HTTP/1.1 200\n")),
                bad("old version", "needs 3.8", () -> new ServerStream().ascii("RFB 003.003\n")),
                bad("password only", "only None", () -> new ServerStream().ascii("RFB 003.008\n").u8(2).u8(2).u8(19)),
                bad("refused", "refused the connection: too many", () -> new ServerStream().ascii("RFB 003.008\n")
                        .u8(0).u32(8).ascii("too many")),
                bad("reason too long", "failure reason of 4294967295 bytes", () -> new ServerStream()
                        .ascii("RFB 003.008\n").u8(0).u32(0xFFFFFFFFL)),
                bad("security failed", "rejected security type None: no", () -> new ServerStream()
                        .ascii("RFB 003.008\n").u8(1).u8(1).u32(1).u32(2).ascii("no")),
                bad("huge ServerInit", "ServerInit size 65535x65535 exceeds", () -> new ServerStream()
                        .ascii("RFB 003.008\n").u8(1).u8(1).u32(0).serverInit(65535, 65535, "x")),
                bad("ServerInit over pixel cap", "ServerInit size 4096x4096 exceeds", () -> new ServerStream()
                        .ascii("RFB 003.008\n").u8(1).u8(1).u32(0).serverInit(4096, 4096, "x")),
                bad("name too long", "desktop name of 2147483648 bytes", () -> new ServerStream()
                        .ascii("RFB 003.008\n").u8(1).u8(1).u32(0).u16(8).u16(8).bytes(new byte[16]).u32(1L << 31)),
                bad("unknown message", "unknown server message type 42", () -> ok().u8(42)),
                bad("QEMU audio message", "unknown server message type 255", () -> ok().u8(255).u8(1)),
                bad("raw outside", "Raw rectangle 10x10+60+0 lies outside the 64x48", () -> ok().update(1)
                        .rect(60, 0, 10, 10, Encodings.RAW)),
                bad("raw far outside", "lies outside", () -> ok().update(1).rect(65535, 65535, 65535, 65535, 0)),
                bad("copyrect outside", "CopyRect rectangle", () -> ok().update(1).rect(0, 40, 10, 10, 1).u16(0).u16(0)),
                bad("copyrect source outside", "CopyRect source rectangle 10x10+60+0", () -> ok().update(1)
                        .rect(0, 0, 10, 10, Encodings.COPY_RECT).u16(60).u16(0)),
                bad("zrle outside", "ZRLE rectangle 64x49+0+0 lies outside", () -> ok().update(1)
                        .rect(0, 0, 64, 49, Encodings.ZRLE).u32(0)),
                bad("unknown encoding", "encoding 7 (Tight), which the client did not ask for", () -> ok().update(1)
                        .rect(0, 0, 1, 1, 7)),
                bad("negative encoding", "encoding -2147483648", () -> ok().update(1).rect(0, 0, 1, 1, Integer.MIN_VALUE)),
                bad("desktop size over cap", "DesktopSize size 16384x16384 exceeds", () -> ok().update(1)
                        .rect(0, 0, 16384, 16384, Encodings.DESKTOP_SIZE)),
                bad("extended desktop size over cap", "ExtendedDesktopSize size 5000x10 exceeds", () -> ok().update(1)
                        .rect(0, 0, 5000, 10, Encodings.EXTENDED_DESKTOP_SIZE).u8(0).u8(0).u8(0).u8(0)),
                bad("rect after shrink", "lies outside the 8x8", () -> ok().update(2)
                        .rect(0, 0, 8, 8, Encodings.DESKTOP_SIZE).rect(0, 0, 9, 1, Encodings.RAW)),
                bad("cursor too big", "cursor 1000x1000 exceeds the limit of 256x256", () -> ok().update(1)
                        .rect(0, 0, 1000, 1000, Encodings.CURSOR)),
                bad("cursor hotspot", "hotspot 9,0 lies outside the 4x4 cursor", () -> ok().update(1)
                        .rect(9, 0, 4, 4, Encodings.CURSOR)),
                bad("colour map overflow", "colour map entries 65535+2 run past", () -> ok().u8(1).u8(0).u16(65535)
                        .u16(2)),
                bad("cut text too long", "cut text of 4294967295 bytes exceeds the limit of 1048576", () -> ok()
                        .u8(3).u8(0).u8(0).u8(0).u32(0xFFFFFFFFL)),
                bad("zrle length absurd", "declares 4294967295 bytes", () -> ok().update(1)
                        .rect(0, 0, 1, 1, Encodings.ZRLE).u32(0xFFFFFFFFL)),
                bad("zrle not zlib", "corrupt ZRLE zlib data", () -> ok().update(1).rect(0, 0, 8, 8, Encodings.ZRLE)
                        .u32(6).bytes(new byte[] {1, 2, 3, 4, 5, 6})),
                bad("zrle truncated", "ZRLE data ends before the rectangle's last tile", () -> {
                    byte[] z = new ZrleEncoder().compress(new byte[] {0, 1, 2, 3}); // raw tile cut short
                    return ok().update(1).rect(0, 0, 8, 8, Encodings.ZRLE).u32(z.length).bytes(z);
                }),
                bad("zrle unknown subencoding", "unknown subencoding 17", () -> ok().update(1)
                        .rect(0, 0, 8, 8, Encodings.ZRLE).bytes(zrle(new byte[] {17}))),
                bad("zrle run overrun", "run of 256 pixels overruns its tile (64 left)", () -> ok().update(1)
                        .rect(0, 0, 8, 8, Encodings.ZRLE).bytes(zrle(new byte[] {(byte) 128, 1, 2, 3, (byte) 255, 0}))),
                bad("zrle palette index", "palette RLE index 5 outside a palette of 2", () -> ok().update(1)
                        .rect(0, 0, 8, 8, Encodings.ZRLE).bytes(zrle(new byte[] {(byte) 130, 1, 1, 1, 2, 2, 2, 5}))),
                bad("zrle packed index", "packed palette index 3 outside a palette of 3", () -> ok().update(1)
                        .rect(0, 0, 2, 1, Encodings.ZRLE).bytes(zrle(new byte[] {3, 1, 1, 1, 2, 2, 2, 3, 3, 3,
                                (byte) 0b1100_0000}))),
                bad("zrle trailing data", "continues after the rectangle's last tile", () -> ok().update(1)
                        .rect(0, 0, 8, 8, Encodings.ZRLE).bytes(zrle(new byte[] {1, 9, 9, 9, 1, 9, 9, 9}))),
                bad("zrle stream ended", "server ended the ZRLE zlib stream", () -> {
                    java.util.zip.Deflater d = new java.util.zip.Deflater();
                    d.setInput(new byte[] {1, 9, 9, 9});
                    d.finish();
                    byte[] z = new byte[64];
                    int n = d.deflate(z);
                    return ok().update(2).rect(0, 0, 8, 8, Encodings.ZRLE).u32(n).bytes(java.util.Arrays.copyOf(z, n))
                            .rect(0, 0, 8, 8, Encodings.ZRLE).u32(n).bytes(java.util.Arrays.copyOf(z, n));
                }),
                bad("stall inside a message", "stopped inside a message", () -> ok().update(1).u16(0)),
                bad("never answers", "did not answer an update request", ServerStreamOk::ok));
    }

    /** Named so the case list reads as what it is. */
    static final class ServerStreamOk {
        static ServerStream ok() {
            return HostileServerTest.ok();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileStreams")
    void aHostileStreamEndsOnlyThatConnectionWithItsReason(String name, String reason, Supplier<ServerStream> stream)
            throws Exception {
        try (FakeRfbServer server = new FakeRfbServer(tmp.resolve("bad.sock"),
                FakeRfbServer.sendThenHold(stream.get().toByteArray()))) {
            long start = System.nanoTime();
            IOException e = connectAndRun(server.path());
            assertInstanceOf(RfbProtocolException.class, e, () -> name + ": " + e);
            assertTrue(e.getMessage().contains(reason), () -> name + ": reason was '" + e.getMessage() + "'");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), name + " took too long");
        }
    }

    private static IOException connectAndRun(Path socket) {
        try {
            RfbConnection c = RfbConnection.open(RfbEndpoint.unix(socket), CONFIG, new FrameBuffer(), null);
            c.run();
            return null;
        } catch (IOException e) {
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError("unchecked exception escaped the client", e);
        }
    }

    @Test
    void aServerThatClosesMidMessageIsAnEofNotAHang() throws Exception {
        byte[] partial = ok().update(1).rect(0, 0, 4, 4, 0).u32(1).toByteArray();
        // Reads the client's whole handshake (so its writes succeed), then closes mid-rectangle.
        int handshake = 12 + 1 + 1 + 20 + 4 + 4 * CONFIG.encodings().size() + 10;
        FakeRfbServer.Script script = (ch, in) -> {
            FakeRfbServer.write(ch, partial);
            in.readNBytes(handshake);
        };
        try (FakeRfbServer server = new FakeRfbServer(tmp.resolve("eof.sock"), script)) {
            IOException e = connectAndRun(server.path());
            assertInstanceOf(EOFException.class, e);
        }
    }

    @Test
    void anIdleServerThatAnswersTheProbeStaysConnected() throws Exception {
        // Answers every FramebufferUpdateRequest only when it is non-incremental (like QEMU when idle).
        FakeRfbServer.Script script = (ch, in) -> {
            FakeRfbServer.write(ch, ok().toByteArray());
            byte[] head = new byte[12 + 1 + 1 + 20 + 4];
            in.readNBytes(head, 0, head.length);
            in.readNBytes((head[head.length - 2] << 8 | head[head.length - 1] & 0xff) * 4);
            while (true) {
                byte[] msg = in.readNBytes(10);
                if (msg.length < 10) {
                    return;
                }
                if (msg[1] == 0) {
                    FakeRfbServer.write(ch, new ServerStream().update(0).toByteArray());
                }
            }
        };
        try (FakeRfbServer server = new FakeRfbServer(tmp.resolve("idle.sock"), script)) {
            RfbConnection c = RfbConnection.open(RfbEndpoint.unix(server.path()), CONFIG, new FrameBuffer(), null);
            Thread t = new Thread(() -> {
                try {
                    c.run();
                } catch (IOException e) {
                    // reported below through isAlive
                }
            });
            t.start();
            t.join(2000); // four probe periods
            assertTrue(t.isAlive(), "still connected after 2 s of idle with probes answered");
            c.close();
            t.join(2000);
            assertTrue(!t.isAlive(), "close() ends run()");
        }
    }

    /**
     * A hostile source and a healthy one side by side: the hostile one is dropped with its reason
     * and retried with backoff, the healthy one keeps receiving frames, nothing escapes a thread.
     */
    @Test
    void aHostileSourceDoesNotDisturbAHealthyOne() throws Exception {
        List<Throwable> escaped = new ArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((th, e) -> escaped.add(e));
        FakeRfbServer.Script healthy = (ch, in) -> {
            FakeRfbServer.write(ch, ok().toByteArray());
            int[] colour = {0};
            in.readNBytes(12 + 1 + 1 + 20);
            byte[] enc = in.readNBytes(4);
            in.readNBytes((enc[2] << 8 | enc[3] & 0xff) * 4);
            while (in.readNBytes(10).length == 10) {
                Thread.sleep(5);
                FakeRfbServer.write(ch, new ServerStream().update(1).rect(0, 0, 1, 1, Encodings.RAW)
                        .pixels(new int[] {colour[0]++}).toByteArray());
            }
        };
        byte[] hostile = ok().update(1).rect(0, 0, 8, 8, Encodings.ZRLE).u32(3).bytes(new byte[] {9, 9, 9})
                .toByteArray();
        try (FakeRfbServer good = new FakeRfbServer(tmp.resolve("good.sock"), healthy);
             FakeRfbServer bad = new FakeRfbServer(tmp.resolve("bad.sock"), FakeRfbServer.sendThenHold(hostile))) {
            SourceWatcher gw = new SourceWatcher();
            SourceWatcher bw = new SourceWatcher();
            Backoff fast = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200));
            try (RfbSource g = new RfbSource("good", RfbEndpoint.unix(good.path()), CONFIG, fast, gw).start();
                 RfbSource b = new RfbSource("bad", RfbEndpoint.unix(bad.path()), CONFIG, fast, bw).start()) {
                gw.await("connected", 10);
                for (int i = 0; i < 3; i++) {
                    bw.await("disconnected", 10);
                }
                assertInstanceOf(RfbProtocolException.class, bw.lastReason());
                assertTrue(bw.lastReason().getMessage().contains("corrupt ZRLE zlib data"), bw.lastReason()::getMessage);
                long frames = gw.latest().serial();
                Thread.sleep(300);
                assertTrue(gw.latest().serial() > frames + 5, "the healthy source kept receiving frames");
                assertTrue(g.isConnected());
                assertEquals(1, good.connections(), "the healthy source never reconnected");
                assertTrue(bad.connections() >= 3, "the hostile source was retried");
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        if (!escaped.isEmpty()) {
            fail("an exception escaped a thread", escaped.get(0));
        }
    }
}
