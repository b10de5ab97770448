package org.polydesk.display.sink;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.DrmCard;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.protocol.rpc.Backoff;

/**
 * The KMS sink's benchmarks, run inside a test guest whose card drives a 3840x2160 monitor (see
 * {@link KmsBenchmark}); each figure against a memcpy of one 4K frame into the card's memory
 * measured in the same run. Prints "BENCH ..." lines.
 */
public final class KmsBenchmarkInGuest {
    private static final String CARD = "/dev/dri/card0";

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        double memcpy;
        try (KmsSink kms = KmsSink.open(CARD)) {
            System.out.println("BENCH screen: " + kms.describe());
            int w = kms.width();
            int h = kms.height();
            FrameBuffer source = new FrameBuffer();
            source.resize(w, h);
            IntBuffer px = source.surface().pixels();
            Random r = new Random(4);
            for (int i = 0; i < px.limit(); i++) {
                px.put(i, r.nextInt());
            }
            memcpy = memcpyMillis(px, w, h, rounds);
            Compositor compositor = new Compositor(kms.createFrame(), new IndicatorStyle(Duration.ZERO, 0));
            Content.Live content = new Content.Live(new VmLabel(1, "Bench", 0x3060C0), source);
            kms.present(compositor.frame(), compositor.show(content, false));
            List<Rect> whole = List.of(new Rect(0, 0, w, h));
            long[] t = new long[rounds];
            for (int i = -3; i < rounds; i++) {
                long t0 = System.nanoTime();
                // a source that changed whole: composed from its damage, as the server does
                List<Rect> damage = compositor.update(whole);
                kms.present(compositor.frame(), damage);
                kms.awaitDrawable(); // the flip done
                if (i >= 0) {
                    t[i] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(t);
            System.out.printf("BENCH memcpy of one %dx%d frame into the card's memory: %.2f ms%n", w, h, memcpy);
            System.out.printf("BENCH full-frame compose + flip, %d frames: p50 %.2f ms (%.2fx memcpy), p90 %.2f ms (%.2fx memcpy); goal <= 2x%n",
                    rounds, ms(t[rounds / 2]), ms(t[rounds / 2]) / memcpy, ms(t[rounds * 9 / 10]), ms(t[rounds * 9 / 10]) / memcpy);
        }
        switchAndIdle(rounds, memcpy);
        System.out.println("BENCH DONE");
    }

    /** memcpy of one frame from direct memory into a dumb buffer of the card, p50. */
    private static double memcpyMillis(IntBuffer src, int w, int h, int rounds) throws IOException {
        try (DrmCard card = DrmCard.open(CARD)) {
            DrmCard.DumbBuffer b = card.createDumb(w, h);
            try {
                IntBuffer dst = b.memory().asIntBuffer();
                int n = Math.min(src.limit(), dst.limit());
                long[] t = new long[rounds];
                for (int i = -3; i < rounds; i++) {
                    long t0 = System.nanoTime();
                    dst.put(0, src, 0, n);
                    if (i >= 0) {
                        t[i] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(t);
                return ms(t[rounds / 2]);
            } finally {
                card.destroy(b);
            }
        }
    }

    /** The whole display server on the KMS sink with two 4K sources: switch latency, then its CPU idle and busy. */
    private static void switchAndIdle(int switches, double memcpy) throws Exception {
        Path dir = Files.createTempDirectory("polydesk-kms-bench");
        TimedSink sink = new TimedSink(KmsSink.open(CARD));
        int w = sink.width();
        int h = sink.height();
        Busy busy = new Busy(w, h);
        try (FakeRfbServer a = new FakeRfbServer(dir.resolve("a.sock"), FakeRfbServer.sendThenHold(frame(w, h, 0x3050A0)));
             FakeRfbServer b = new FakeRfbServer(dir.resolve("b.sock"), busy);
             DisplayServer ds = new DisplayServer(sink, IndicatorStyle.DEFAULT,
                     RfbConfig.defaults().withEncodings(Encodings.rawOnly()),
                     new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))).start()) {
            ds.vmStarted(new VmLabel(1, "One", 0xE0A000), RfbEndpoint.unix(a.path()));
            ds.vmStarted(new VmLabel(2, "Two", 0x20C0C0), RfbEndpoint.unix(b.path()));
            long[] latency = new long[switches];
            for (int i = -4; i < switches; i++) {
                int slot = 1 + (i & 1);
                long before = sink.fullFrameAt;
                long t0 = System.nanoTime();
                ds.focus(slot);
                while (sink.fullFrameAt == before || sink.fullFrameAt < t0) {
                    Thread.sleep(0, 100_000);
                    if (System.nanoTime() - t0 > 30_000_000_000L) {
                        throw new IllegalStateException("no full frame flipped within 30 s of a switch to slot " + slot);
                    }
                }
                if (i >= 0) {
                    latency[i] = sink.fullFrameAt - t0;
                }
                Thread.sleep(50);
            }
            Arrays.sort(latency);
            System.out.printf("BENCH switch, focus event -> new VM's frame flipped on, %d switches: p50 %.2f ms, p99 %.2f ms"
                    + " (%.2fx / %.2fx memcpy); goal <= 16.7 ms (one 60 Hz refresh)%n", switches,
                    ms(latency[switches / 2]), ms(latency[switches * 99 / 100]),
                    ms(latency[switches / 2]) / memcpy, ms(latency[switches * 99 / 100]) / memcpy);

            ds.focus(1); // a still desktop: nothing changes
            Thread.sleep(2000);
            double idle = displayCpuMillisPerSecond(5);
            busy.running = true;
            ds.focus(2); // a 256x256 area changing 30 times a second, as a small video
            Thread.sleep(2000);
            double moving = displayCpuMillisPerSecond(5);
            System.out.printf("BENCH display server CPU: idle desktop %.1f ms/s, busy (256x256 at 30 Hz) %.1f ms/s:"
                    + " idle = %.3fx busy%n", idle, moving, idle / moving);
        } finally {
            busy.running = false;
        }
    }

    /** CPU time of this process's threads but the fake servers', per second over {@code seconds}. */
    private static double displayCpuMillisPerSecond(int seconds) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long before = displayCpu(threads);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu = displayCpu(threads) - before;
        return cpu / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    private static long displayCpu(ThreadMXBean threads) {
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && !info.getThreadName().startsWith("fake-rfb") && !info.getThreadName().equals("main")) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    private static byte[] frame(int w, int h, int rgb) {
        int[] px = new int[w * h];
        Arrays.fill(px, rgb);
        return ServerStream.handshake(w, h).update(1).rect(0, 0, w, h, Encodings.RAW).pixels(px).toByteArray();
    }

    /** A source whose 256x256 area changes 30 times a second while {@link #running}. */
    private static final class Busy implements FakeRfbServer.Script {
        final byte[] first;
        volatile boolean running;
        final int w;

        Busy(int w, int h) {
            this.w = w;
            this.first = frame(w, h, 0xA05030);
        }

        @Override
        public void serve(java.nio.channels.SocketChannel ch, java.io.InputStream in) throws IOException, InterruptedException {
            FakeRfbServer.write(ch, first);
            Thread drain = new Thread(() -> {
                try {
                    FakeRfbServer.drain(in);
                } catch (IOException e) {
                    // the client went
                }
            }, "fake-rfb-drain");
            drain.setDaemon(true);
            drain.start();
            int[] px = new int[256 * 256];
            for (int n = 0; drain.isAlive(); n++) {
                if (running) {
                    Arrays.fill(px, 0x010101 * (n & 0xFF));
                    FakeRfbServer.write(ch, new ServerStream().update(1).rect(w / 2, 512, 256, 256, Encodings.RAW)
                            .pixels(px).toByteArray());
                }
                Thread.sleep(33);
            }
        }
    }

    /** The KMS sink, noting when a whole frame has been flipped on. */
    private static final class TimedSink implements Sink {
        final KmsSink inner;
        volatile long fullFrameAt;

        TimedSink(KmsSink inner) {
            this.inner = inner;
        }

        @Override
        public int width() {
            return inner.width();
        }

        @Override
        public int height() {
            return inner.height();
        }

        @Override
        public Frame createFrame() {
            return inner.createFrame();
        }

        @Override
        public boolean frameOutdated() {
            return inner.frameOutdated();
        }

        @Override
        public void present(Frame frame, List<Rect> damage) throws IOException {
            inner.present(frame, damage);
            inner.awaitDrawable(); // the flip done
            if (damage.contains(new Rect(0, 0, width(), height()))) {
                fullFrameAt = System.nanoTime();
            }
        }

        @Override
        public String describe() {
            return "timed " + inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
