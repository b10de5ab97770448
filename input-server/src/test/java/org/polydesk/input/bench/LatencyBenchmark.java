package org.polydesk.input.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.polydesk.input.evdev.Capabilities;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.EventReader;
import org.polydesk.input.evdev.InputEvent;
import org.polydesk.input.evdev.InputListener;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.routing.InputRouter;
import org.polydesk.input.sink.QmpSink;
import org.polydesk.input.testing.FakeQmp;
import org.polydesk.protocol.focus.FocusChanged;

/**
 * Latency of the input path: an evdev key frame read from an OS pipe → the QMP input-send-event
 * for it written to the VM's QMP socket (a fake QEMU on a UNIX socket). Measured per frame with
 * System.nanoTime() at the read (when the reader hands the key event on) and after the write.
 * The baseline, in the same run: the same pipe and reader, and a pre-made QMP line written on the
 * reading thread itself, i.e. what the OS and JVM cost without the router, the sink's batching
 * and its writer thread. Frames are sent one every 500 µs (a fast typist makes one every 50 ms).
 *
 * <p>Run with {@code bash input-server/bench.sh [frames]}.
 */
public final class LatencyBenchmark {
    private LatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int warmup = frames / 4;
        Path dir = Files.createTempDirectory("polydesk-input-bench");
        try {
            long[] base = baseline(dir, warmup + frames);
            long[] ours = inputServer(dir, warmup + frames);
            System.out.printf("input path latency, evdev frame read -> QMP message written, %d frames after %d warm-up, one every 500 us%n",
                    frames, warmup);
            report("baseline (read, write a fixed line)", Arrays.copyOfRange(base, warmup, base.length));
            report("input-server (router, QMP sink)  ", Arrays.copyOfRange(ours, warmup, ours.length));
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void report(String name, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("  %s  p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us  max %8.1f us%n", name,
                s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3, s[(int) (s.length * 0.999)] / 1e3,
                s[s.length - 1] / 1e3);
    }

    /** Writes key frames (press, release, press, …) of 'a' into the pipe at the pace. */
    private static void feed(OutputStream out, int frames) throws IOException {
        long next = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            byte[] frame = new byte[InputEvent.SIZE * 2];
            System.arraycopy(InputEvent.key(EventCodes.KEY_A, (i & 1) == 0 ? 1 : 0).toBytes(), 0, frame, 0, InputEvent.SIZE);
            System.arraycopy(InputEvent.syn().toBytes(), 0, frame, InputEvent.SIZE, InputEvent.SIZE);
            next += 500_000;
            while (System.nanoTime() < next) {
                LockSupport.parkNanos(50_000);
            }
            out.write(frame);
            out.flush();
        }
    }

    private static long[] baseline(Path dir, int frames) throws Exception {
        long[] read = new long[frames];
        long[] written = new long[frames];
        try (FakeQmp qmp = new FakeQmp(dir.resolve("base/qmp.sock"));
             SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("base/qmp.sock")));
            byte[] line = ("{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,"
                    + "\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]}}\n").getBytes(StandardCharsets.US_ASCII);
            Thread answers = new Thread(() -> { // QEMU's answers, read as the sink's reader does
                ByteBuffer sinkBuf = ByteBuffer.allocate(65536);
                try {
                    while (ch.read(sinkBuf.clear()) >= 0) {
                        // discarded
                    }
                } catch (IOException ignored) {
                    // closed
                }
            }, "baseline-answers");
            answers.setDaemon(true);
            answers.start();
            Pipe pipe = Pipe.open();
            AtomicInteger n = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try {
                    new EventReader(Channels.newInputStream(pipe.source())).pump(e -> {
                        if (e.type() == EventCodes.EV_KEY) {
                            int i = n.getAndIncrement();
                            read[i] = System.nanoTime();
                            ByteBuffer b = ByteBuffer.wrap(line);
                            while (b.hasRemaining()) {
                                ch.write(b);
                            }
                            written[i] = System.nanoTime();
                            if (i == frames - 1) {
                                done.countDown();
                            }
                        }
                    });
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "baseline-reader");
            reader.setDaemon(true);
            reader.start();
            feed(Channels.newOutputStream(pipe.sink()), frames);
            done.await(60, TimeUnit.SECONDS);
            pipe.sink().close();
        }
        return diff(read, written);
    }

    private static long[] inputServer(Path dir, int frames) throws Exception {
        long[] read = new long[frames];
        long[] written = new long[frames];
        try (FakeQmp qmp = new FakeQmp(dir.resolve("vm/qmp.sock"))) {
            FocusAuthority focus = new FocusAuthority(null);
            InputRouter router = new InputRouter(focus, InputConfig.defaults());
            QmpSink sink = new QmpSink(dir.resolve("vm/qmp.sock"), false);
            AtomicInteger w = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            sink.onWritten(t -> {
                int i = w.getAndIncrement();
                if (i < frames) {
                    written[i] = t;
                }
                if (i == frames - 1) {
                    done.countDown();
                }
            });
            focus.vmStarted(1, UUID.randomUUID(), "bench", sink);
            focus.set(1, FocusChanged.Cause.REQUEST);
            // Connect before measuring (the first message makes the sink connect).
            sink.connectEarly();
            while (!sink.connected()) {
                Thread.sleep(10);
            }
            AtomicInteger r = new AtomicInteger();
            InputListener timed = new InputListener() {
                @Override
                public void deviceAdded(int device, Capabilities c, Leds leds) {
                    router.deviceAdded(device, c, leds);
                }

                @Override
                public void event(int device, InputEvent e) {
                    if (e.type() == EventCodes.EV_KEY) {
                        read[r.getAndIncrement()] = System.nanoTime();
                    }
                    router.event(device, e);
                }

                @Override
                public void deviceRemoved(int device) {
                    router.deviceRemoved(device);
                }
            };
            Pipe pipe = Pipe.open();
            new org.polydesk.input.evdev.DeviceManager(timed, false).addStream("bench", Channels.newInputStream(pipe.source()));
            feed(Channels.newOutputStream(pipe.sink()), frames);
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + w.get() + " of " + frames + " QMP messages were written");
            }
            pipe.sink().close();
            sink.close();
        }
        return diff(read, written);
    }

    private static long[] diff(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = b[i] - a[i];
        }
        return d;
    }
}
