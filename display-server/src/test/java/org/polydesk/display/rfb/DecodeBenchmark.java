package org.polydesk.display.rfb;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.testing.LoopingTransport;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.display.testing.ZrleEncoder;

/**
 * 1080p full-frame decode: one FramebufferUpdate with a single 1920x1080 rectangle, decoded through
 * the whole client (transport read, parsing, decode into the frame buffer, damage, the next update
 * request) from an endless in-memory stream, against System.arraycopy of the same frame in the same
 * run. Run with {@code bash display-server/bench.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class DecodeBenchmark {
    static final int W = 1920;
    static final int H = 1080;

    private int[] source;
    private int[] target;
    private RfbConnection raw;
    private RfbConnection zrleDesktop;
    private RfbConnection zrleNoise;
    /** The desktop frame's ZRLE tiles deflated as one zlib stream, and what inflates them. */
    private byte[] desktopZlib;
    private final java.util.zip.Inflater inflater = new java.util.zip.Inflater();
    private final byte[] inflated = new byte[64 * 1024];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int[] desktop = desktop(new Random(1));
        int[] noise = new int[W * H];
        Random rnd = new Random(2);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = rnd.nextInt(1 << 24);
        }
        source = desktop.clone();
        target = new int[W * H];
        raw = connect(new ServerStream().update(1).rect(0, 0, W, H, Encodings.RAW).pixels(desktop).toByteArray(),
                null);
        zrleDesktop = connectZrle(desktop);
        zrleNoise = connectZrle(noise);
        desktopZlib = new ZrleEncoder().compress(ZrleEncoder.tiles(desktop, W, 0, 0, W, H, ZrleEncoder.Mode.AUTO),
                Deflater.FULL_FLUSH);
    }

    private static RfbConnection connectZrle(int[] img) throws IOException {
        byte[][] messages = zrleMessages(img);
        return connect(messages[1], messages[0]);
    }

    /**
     * One full-frame ZRLE update of {@code img} as two messages, the first and a repeatable one:
     * full flushes make each frame's zlib data independent of the one before, so it can repeat.
     */
    static byte[][] zrleMessages(int[] img) {
        ZrleEncoder enc = new ZrleEncoder();
        byte[] tiles = ZrleEncoder.tiles(img, W, 0, 0, W, H, ZrleEncoder.Mode.AUTO);
        byte[] first = enc.compress(tiles, Deflater.FULL_FLUSH);
        byte[] again = enc.compress(tiles, Deflater.FULL_FLUSH);
        System.out.printf("%nZRLE frame: %d bytes of tiles, %d compressed%n", tiles.length, again.length);
        return new byte[][] {
            new ServerStream().update(1).rect(0, 0, W, H, Encodings.ZRLE).u32(first.length).bytes(first).toByteArray(),
            new ServerStream().update(1).rect(0, 0, W, H, Encodings.ZRLE).u32(again.length).bytes(again).toByteArray()};
    }

    private static RfbConnection connect(byte[] cycle, byte[] firstMessage) throws IOException {
        ServerStream prefix = ServerStream.handshake(W, H);
        if (firstMessage != null) {
            prefix.bytes(firstMessage);
        }
        RfbConnection c = RfbConnection.over(new LoopingTransport(prefix.toByteArray(), cycle), RfbConfig.defaults(),
                new FrameBuffer(), null);
        if (firstMessage != null) {
            c.step();
        }
        return c;
    }

    /** A desktop-like frame: flat background, windows with text-like glyph cells, one photo area. */
    static int[] desktop(Random rnd) {
        int[] p = new int[W * H];
        java.util.Arrays.fill(p, 0x3050A0);
        for (int win = 0; win < 6; win++) {
            int x0 = rnd.nextInt(W - 700);
            int y0 = rnd.nextInt(H - 500);
            for (int y = y0; y < y0 + 480; y++) {
                for (int x = x0; x < x0 + 680; x++) {
                    boolean title = y < y0 + 24;
                    p[y * W + x] = title ? 0x2A2A2A : 0xFFFFFF;
                }
            }
            // 8x16 glyph cells, about a fifth of their pixels ink.
            for (int cy = y0 + 32; cy + 16 < y0 + 470; cy += 18) {
                for (int cx = x0 + 8; cx + 8 < x0 + 670; cx += 8) {
                    if (rnd.nextInt(6) == 0) {
                        continue;
                    }
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 8; x++) {
                            if (rnd.nextInt(5) == 0) {
                                p[(cy + y) * W + cx + x] = 0x101010;
                            }
                        }
                    }
                }
            }
        }
        for (int y = 600; y < 900; y++) {
            for (int x = 1400; x < 1800; x++) {
                p[y * W + x] = (x * 255 / W) << 16 | (y * 255 / H) << 8 | rnd.nextInt(64);
            }
        }
        return p;
    }

    @Benchmark
    public int[] memcpy() {
        System.arraycopy(source, 0, target, 0, source.length);
        return target;
    }

    @Benchmark
    public void rawFrame() throws IOException {
        raw.step();
    }

    @Benchmark
    public void zrleDesktopFrame() throws IOException {
        zrleDesktop.step();
    }

    @Benchmark
    public void zrleNoiseFrame() throws IOException {
        zrleNoise.step();
    }

    /** zlib alone: inflating the desktop frame's ZRLE data, the floor under any ZRLE decoder. */
    @Benchmark
    public int zlibInflateDesktop() throws java.util.zip.DataFormatException {
        inflater.reset();
        inflater.setInput(desktopZlib);
        int total = 0;
        while (!inflater.needsInput()) {
            total += inflater.inflate(inflated);
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        BenchmarkReport.run(DecodeBenchmark.class, args.length > 0 ? args[0] : null, "1080p full frame");
    }
}
