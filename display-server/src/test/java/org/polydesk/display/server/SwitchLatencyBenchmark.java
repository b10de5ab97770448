package org.polydesk.display.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.linux.FbGeometry;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.sink.FramebufferSink;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;

/**
 * Switch latency: from {@code focus(slot)} to the moment the framebuffer sink has the whole new
 * frame written, with two 1080p sources connected over UNIX sockets, 2,000 switches; p50, p99 and
 * the maximum, against a memcpy of one frame measured in the same run.
 * Run with {@code bash display-server/bench.sh switch}.
 */
public final class SwitchLatencyBenchmark {
    static final int W = 1920;
    static final int H = 1080;

    /** The framebuffer sink, noting when a whole frame has been written. */
    private static final class TimedSink implements Sink {
        final FramebufferSink inner;
        volatile long fullFrameAt;

        TimedSink() throws IOException {
            FbGeometry g = FbGeometry.xrgb8888(W, H);
            inner = new FramebufferSink(g, ByteBuffer.allocateDirect((int) g.mappedLength()));
        }

        @Override
        public int width() {
            return W;
        }

        @Override
        public int height() {
            return H;
        }

        @Override
        public void present(Frame frame, List<Rect> damage) throws IOException {
            inner.present(frame, damage);
            if (damage.contains(new Rect(0, 0, W, H))) {
                fullFrameAt = System.nanoTime();
            }
        }

        @Override
        public String describe() {
            return "timed " + inner.describe();
        }
    }

    public static void main(String[] args) throws Exception {
        int switches = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("polydesk-switch-bench");
        TimedSink sink = new TimedSink();
        try (FakeRfbServer a = server(dir.resolve("a.sock"), 0x3050A0);
             FakeRfbServer b = server(dir.resolve("b.sock"), 0xA05030);
             DisplayServer ds = new DisplayServer(sink, IndicatorStyle.DEFAULT,
                     RfbConfig.defaults().withEncodings(Encodings.rawOnly()),
                     new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))).start()) {
            ds.vmStarted(new VmLabel(1, "One", 0xE0A000), RfbEndpoint.unix(a.path()));
            ds.vmStarted(new VmLabel(2, "Two", 0x20C0C0), RfbEndpoint.unix(b.path()));
            long[] latency = new long[switches];
            int warmup = switches / 4;
            for (int i = -warmup; i < switches; i++) {
                int slot = 1 + ((i + warmup) & 1);
                long before = sink.fullFrameAt;
                long t0 = System.nanoTime();
                ds.focus(slot);
                while (sink.fullFrameAt == before || sink.fullFrameAt < t0) {
                    Thread.onSpinWait();
                    if (System.nanoTime() - t0 > 5_000_000_000L) {
                        throw new IllegalStateException("no full frame within 5 s of a switch to slot " + slot
                                + " (are both sources connected?)");
                    }
                }
                if (i >= 0) {
                    latency[i] = sink.fullFrameAt - t0;
                }
                Thread.sleep(2);
            }
            Arrays.sort(latency);
            double memcpy = memcpyMillis();
            System.out.printf("switch latency, focus event -> 1080p frame fully written to the framebuffer sink,"
                    + " %d switches:%n", switches);
            System.out.printf("  p50 %6.2f ms  (%.1fx memcpy)%n", ms(latency[switches / 2]), ms(latency[switches / 2]) / memcpy);
            System.out.printf("  p99 %6.2f ms  (%.1fx memcpy)%n", ms(latency[switches * 99 / 100]),
                    ms(latency[switches * 99 / 100]) / memcpy);
            System.out.printf("  max %6.2f ms%n", ms(latency[switches - 1]));
            System.out.printf("  memcpy of one 1080p frame, same run: %.2f ms%n", memcpy);
        }
    }

    private static FakeRfbServer server(Path socket, int rgb) throws IOException {
        int[] px = new int[W * H];
        Random r = new Random(rgb);
        Arrays.fill(px, rgb);
        for (int i = 0; i < px.length; i += 97) {
            px[i] = r.nextInt(1 << 24);
        }
        byte[] bytes = ServerStream.handshake(W, H).update(1).rect(0, 0, W, H, Encodings.RAW).pixels(px).toByteArray();
        return new FakeRfbServer(socket, FakeRfbServer.sendThenHold(bytes));
    }

    private static double memcpyMillis() {
        int[] src = new int[W * H];
        int[] dst = new int[W * H];
        long[] t = new long[200];
        for (int i = 0; i < 50; i++) {
            System.arraycopy(src, 0, dst, 0, src.length);
        }
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, src.length);
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return ms(t[t.length / 2]);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
