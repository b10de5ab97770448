package org.polydesk.display.rfb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.linux.FbGeometry;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.sink.FramebufferSink;
import org.polydesk.display.testing.LoopingTransport;
import org.polydesk.display.testing.ServerStream;

/**
 * The whole display path for one 1080p full frame: RFB decode into the VM's frame buffer, compose
 * (1:1, the banner drawn) and the framebuffer sink writing XRGB8888 into device-like direct memory;
 * and compose + sink alone, against System.arraycopy of the same frame in the same run.
 * Run with {@code bash display-server/bench.sh pipeline}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class PipelineBenchmark {
    static final int W = DecodeBenchmark.W;
    static final int H = DecodeBenchmark.H;

    private int[] source;
    private int[] target;
    private Path raw;
    private Path zrle;
    private Path still;

    /** One source → compositor → sink chain. */
    private static final class Path {
        final RfbConnection connection;
        final FrameBuffer frameBuffer = new FrameBuffer();
        final FramebufferSink sink;
        final Compositor compositor;

        Path(byte[] prefix, byte[] cycle) throws IOException {
            connection = RfbConnection.over(new LoopingTransport(prefix, cycle), RfbConfig.defaults(), frameBuffer, null);
            FbGeometry g = FbGeometry.xrgb8888(W, H);
            sink = new FramebufferSink(g, ByteBuffer.allocateDirect((int) g.mappedLength()));
            compositor = new Compositor(sink.createFrame(), IndicatorStyle.DEFAULT);
        }

        void frame() throws IOException {
            connection.step();
            sink.present(compositor.frame(), compositor.update(frameBuffer.drainDamage()));
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int[] desktop = DecodeBenchmark.desktop(new Random(1));
        source = desktop.clone();
        target = new int[W * H];
        byte[] rawFrame = new ServerStream().update(1).rect(0, 0, W, H, Encodings.RAW).pixels(desktop).toByteArray();
        raw = start(rawFrame, rawFrame);
        byte[][] zrleMessages = DecodeBenchmark.zrleMessages(desktop);
        zrle = start(zrleMessages[0], zrleMessages[1]);
        still = start(rawFrame, rawFrame);
    }

    private static Path start(byte[] firstFrame, byte[] cycle) throws IOException {
        Path p = new Path(ServerStream.handshake(W, H).bytes(firstFrame).toByteArray(), cycle);
        p.connection.step();
        p.sink.present(p.compositor.frame(),
                p.compositor.show(new Content.Live(new VmLabel(1, "Bench", 0x3465A4), p.frameBuffer), true));
        return p;
    }

    @Benchmark
    public int[] memcpy() {
        System.arraycopy(source, 0, target, 0, source.length);
        return target;
    }

    @Benchmark
    public void rawDecodeComposeSink() throws IOException {
        raw.frame();
    }

    @Benchmark
    public void zrleDecodeComposeSink() throws IOException {
        zrle.frame();
    }

    /** Compose and sink alone: what a frame costs once it is decoded. */
    @Benchmark
    public void composeSink() {
        still.frameBuffer.damage(still.frameBuffer.surface().bounds());
        still.sink.present(still.compositor.frame(), still.compositor.update(still.frameBuffer.drainDamage()));
    }

    public static void main(String[] args) throws Exception {
        BenchmarkReport.run(PipelineBenchmark.class, args.length > 0 ? args[0] : null, "1080p full frame, decode + compose + framebuffer sink");
    }
}
