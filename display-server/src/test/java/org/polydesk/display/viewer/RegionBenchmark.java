package org.polydesk.display.viewer;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.Gntdev;
import org.polydesk.display.rfb.BenchmarkReport;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerCodec;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * 1080p full frames through the viewer sink into a shared region in /dev/shm, announced over a
 * UNIX socket to a viewer stand-in that reads each FRAME, the region's newest frame and marks it
 * shown (what the real viewer does before JavaFX uploads it); against System.arraycopy of the same
 * frame and a plain copy of it into the mapped region, in the same run.
 * Run with {@code bash display-server/bench.sh viewer}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class RegionBenchmark {
    static final int W = 1920;
    static final int H = 1080;
    private static final List<Rect> WHOLE = List.of(new Rect(0, 0, W, H));

    private Path dir;
    private Frame frame;
    private int[] target;
    private FrameRegion plain;
    private ViewerSink sink;
    private ServerSocketChannel server;
    private Thread viewer;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "polydesk-bench");
        frame = new Frame(W, H);
        int[] px = frame.pixels();
        Random rnd = new Random(1);
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xFF000000 | rnd.nextInt(1 << 24);
        }
        target = new int[W * H];
        plain = FrameRegion.create(map(dir.resolve("plain")), W, H, 3);

        Path sock = dir.resolve("viewer.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        FrameRegion shared = FrameRegion.create(map(dir.resolve("region")), W, H, 3);
        Object attached = new Object();
        sink = ViewerSink.open(W, H, -1, sock, new RegionMapper(dir, null, null, new Gntdev()), new Backoff(Duration.ofMillis(10), Duration.ofMillis(100)));
        sink.onRepaintNeeded(() -> {
            synchronized (attached) {
                attached.notifyAll();
            }
        });
        SocketChannel ch = server.accept();
        viewer = new Thread(() -> standIn(ch, shared), "viewer-stand-in");
        viewer.setDaemon(true);
        synchronized (attached) {
            viewer.start();
            attached.wait(10_000);
        }
    }

    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return f.map(FileChannel.MapMode.READ_WRITE, 0, FrameRegion.bytesFor(W, H, 3));
        }
    }

    private static void standIn(SocketChannel ch, FrameRegion region) {
        try {
            ch.write(ByteBuffer.wrap(ViewerCodec.encode(new ViewerMessage.Hello(W, H,
                    new ViewerMessage.SharedFile("region", FrameRegion.bytesFor(W, H, 3))))));
            InputStream in = Channels.newInputStream(ch);
            while (true) {
                if (ViewerCodec.read(in) instanceof ViewerMessage.Frame) {
                    FrameRegion.Published p = region.latest();
                    if (p != null) {
                        region.showing(p.buffer());
                    }
                }
            }
        } catch (IOException e) {
            // the benchmark ended
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        sink.close();
        server.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public int memcpy() {
        System.arraycopy(frame.pixels(), 0, target, 0, target.length);
        return target[target.length - 1];
    }

    @Benchmark
    public int copyIntoRegion() {
        plain.pixels(1).put(0, frame.pixels());
        return frame.pixels()[0];
    }

    @Benchmark
    public int viewerSink() {
        sink.present(frame, WHOLE);
        return frame.pixels()[0];
    }

    public static void main(String[] args) throws Exception {
        BenchmarkReport.run(RegionBenchmark.class, args.length > 0 ? args[0] : null,
                "1080p frames through the viewer's shared region");
    }
}
