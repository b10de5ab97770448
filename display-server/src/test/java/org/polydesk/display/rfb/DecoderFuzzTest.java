package org.polydesk.display.rfb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.testing.MemoryTransport;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.display.testing.ZrleEncoder;

/**
 * Fuzzes the whole client (handshake and every decoder) with valid server streams, mutations of
 * them and random bytes. Each input must end in EOFException or RfbProtocolException, within a
 * time limit, allocating no more than the limits allow. Seeded and reproducible; the budget is
 * {@code -Dpolydesk.fuzz.seconds} (15 s in the normal run), the seed {@code -Dpolydesk.fuzz.seed}.
 * A failing input is saved under target/fuzz-failures/.
 */
class DecoderFuzzTest {
    private static final int MAX_PIXELS = 256 * 256;
    private static final RfbConfig CONFIG = new RfbConfig(Encodings.DEFAULT, 512, 512, MAX_PIXELS, 32, 4096, 1024,
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    private static final long PER_INPUT_TIMEOUT_MS = 5000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void randomAndMutatedStreamsEndOnlyInProtocolErrorsOrEof() throws Exception {
        long seconds = Long.getLong("polydesk.fuzz.seconds", 15);
        long seed = Long.getLong("polydesk.fuzz.seed", 0x5EEDL);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, Integer> outcomes = new TreeMap<>();
        long maxAllocated = 0;
        int i = 0;
        Thread[] workerThread = new Thread[1];
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-decoder");
            t.setDaemon(true);
            workerThread[0] = t;
            return t;
        });
        try {
            for (; System.nanoTime() < deadline; i++) {
                Random rnd = new Random(seed * 1_000_003L + i);
                byte[] input = input(rnd);
                int chunk = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(16) : Integer.MAX_VALUE;
                Future<Outcome> f = worker.submit(() -> decode(input, chunk));
                Outcome o;
                try {
                    o = f.get(PER_INPUT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("input " + i + " hung: " + save(seed, i, input) + stack(workerThread[0]));
                }
                if (o.unexpected != null) {
                    throw new AssertionError("input " + i + " (seed " + seed + ") threw " + o.unexpected + ", saved as "
                            + save(seed, i, input), o.unexpected);
                }
                long budget = allocationBudget(input.length);
                if (o.allocated > budget) {
                    throw new AssertionError("input " + i + " allocated " + o.allocated + " bytes, more than its "
                            + budget + ": " + save(seed, i, input));
                }
                maxAllocated = Math.max(maxAllocated, o.allocated);
                outcomes.merge(o.kind, 1, Integer::sum);
            }
        } finally {
            worker.shutdownNow();
        }
        int eof = outcomes.getOrDefault("eof", 0);
        System.out.printf("fuzz: %d inputs in %d s (seed %d): %d EOF, %d protocol errors of %d kinds; max allocation"
                + " %d KiB%n", i, seconds, seed, eof, i - eof, outcomes.size() - 1, maxAllocated / 1024);
        assertTrue(i > 100, "too few inputs ran: " + i);
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith("protocol")), "protocol errors were seen");
    }

    /** The frame buffer twice over (growth), the fixed buffers, and a little per input byte. */
    private static long allocationBudget(int inputLength) {
        return 2L * MAX_PIXELS * 4 + (2L << 20) + 64L * inputLength;
    }

    private record Outcome(String kind, Throwable unexpected, long allocated) {
    }

    private static Outcome decode(byte[] input, int chunk) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        String kind;
        Throwable unexpected = null;
        FrameBuffer fb = new FrameBuffer(CONFIG.maxPixels());
        RfbListener checks = new RfbListener() {
            @Override
            public void frameUpdated(FrameBuffer frame) {
                if (frame.surface().pixels().capacity() > MAX_PIXELS
                        || (long) frame.width() * frame.height() > MAX_PIXELS) {
                    throw new AssertionError("frame buffer beyond the limit: " + frame.width() + "x" + frame.height());
                }
            }

            @Override
            public void cursorChanged(CursorShape c) {
                if (c.width() > CONFIG.maxCursorSize() || c.height() > CONFIG.maxCursorSize()) {
                    throw new AssertionError("cursor beyond the limit");
                }
            }
        };
        try {
            RfbConnection c = RfbConnection.over(new MemoryTransport(input, chunk), CONFIG, fb, checks);
            c.run();
            kind = "clean end"; // cannot happen: the stream always ends in EOF
            unexpected = new AssertionError("run() returned without an exception");
        } catch (EOFException e) {
            kind = "eof";
        } catch (RfbProtocolException e) {
            String reason = e.getMessage().replaceAll("[0-9]+", "N");
            int colon = reason.indexOf(':');
            kind = "protocol: " + reason.substring(0, Math.min(colon < 0 ? reason.length() : colon, 40));
        } catch (Throwable e) {
            kind = "unexpected";
            unexpected = e;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        return new Outcome(kind, unexpected, allocated);
    }

    // ------------------------------------------------------------------ inputs

    private static byte[] input(Random rnd) {
        int r = rnd.nextInt(100);
        if (r < 3) {
            return randomBytes(rnd, rnd.nextInt(200));
        }
        ServerStream s = new ServerStream();
        int handshakeEnd = seed(rnd, s);
        byte[] valid = s.toByteArray();
        if (r < 10) {
            // A valid handshake, then noise.
            byte[] tail = randomBytes(rnd, rnd.nextInt(300));
            byte[] out = Arrays.copyOf(valid, handshakeEnd + tail.length);
            System.arraycopy(tail, 0, out, handshakeEnd, tail.length);
            return out;
        }
        if (r < 15) {
            return valid;
        }
        byte[] b = valid;
        int mutations = 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 8);
        for (int m = 0; m < mutations; m++) {
            // Mostly past the handshake, where the decoders are.
            int from = rnd.nextInt(10) == 0 ? 0 : Math.min(handshakeEnd, b.length);
            b = mutate(rnd, b, from);
        }
        return b;
    }

    private static byte[] mutate(Random rnd, byte[] b, int from) {
        if (b.length <= from) {
            return b;
        }
        int at = from + rnd.nextInt(b.length - from);
        byte[] out;
        switch (rnd.nextInt(8)) {
            case 0 -> {
                out = b.clone();
                out[at] ^= (byte) (1 << rnd.nextInt(8));
            }
            case 1 -> {
                out = b.clone();
                byte[] interesting = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xfe, 16, 64};
                out[at] = interesting[rnd.nextInt(interesting.length)];
            }
            case 2 -> {
                out = b.clone();
                int[] wide = {0xffff, 0x8000, 0x7fff, 0, 0x4000, 0x100, 0x41};
                int v = wide[rnd.nextInt(wide.length)];
                out[at] = (byte) (v >>> 8);
                if (at + 1 < out.length) {
                    out[at + 1] = (byte) v;
                }
            }
            case 3 -> out = Arrays.copyOf(b, at); // truncate
            case 4 -> { // delete a range
                int n = Math.min(b.length - at, 1 + rnd.nextInt(16));
                out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
            }
            case 5 -> { // insert noise
                byte[] noise = randomBytes(rnd, 1 + rnd.nextInt(16));
                out = new byte[b.length + noise.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(noise, 0, out, at, noise.length);
                System.arraycopy(b, at, out, at + noise.length, b.length - at);
            }
            case 6 -> { // duplicate a range (repeated messages, repeated zlib data)
                int n = Math.min(b.length - at, 1 + rnd.nextInt(512));
                out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at + n);
                System.arraycopy(b, at, out, at + n, b.length - at);
            }
            default -> {
                out = b.clone();
                int n = Math.min(out.length - at, 1 + rnd.nextInt(8));
                for (int k = 0; k < n; k++) {
                    out[at + k] = (byte) rnd.nextInt(256);
                }
            }
        }
        return out;
    }

    /** Writes a valid stream: handshake and a few messages of every kind. Returns the handshake's end. */
    private static int seed(Random rnd, ServerStream s) {
        int w = 1 + rnd.nextInt(128);
        int h = 1 + rnd.nextInt(128);
        s.ascii("RFB 003.008\n");
        if (rnd.nextInt(4) == 0) {
            s.u8(3).u8(2).u8(1).u8(16).u32(0);
        } else {
            s.u8(1).u8(1).u32(0);
        }
        s.serverInit(w, h, rnd.nextBoolean() ? "" : "guest " + rnd.nextInt());
        int handshakeEnd = s.length();
        ZrleEncoder zrle = new ZrleEncoder();
        int messages = 1 + rnd.nextInt(8);
        for (int m = 0; m < messages; m++) {
            int kind = rnd.nextInt(10);
            if (kind == 0) {
                s.u8(1).u8(0).u16(rnd.nextInt(256)).u16(2).bytes(new byte[12]);
                continue;
            } else if (kind == 1) {
                s.u8(2);
                continue;
            } else if (kind == 2) {
                s.u8(3).u8(0).u8(0).u8(0).u32(3).ascii("abc");
                continue;
            }
            int rects = 1 + rnd.nextInt(4);
            s.update(rects);
            for (int r = 0; r < rects; r++) {
                int rw = 1 + rnd.nextInt(Math.min(w, 64));
                int rh = 1 + rnd.nextInt(Math.min(h, 64));
                int x = rnd.nextInt(w - rw + 1);
                int y = rnd.nextInt(h - rh + 1);
                switch (rnd.nextInt(8)) {
                    case 0 -> s.rect(x, y, rw, rh, Encodings.RAW).pixels(RfbDecoderTest.randomImage(rnd, rw, rh, 4, 3));
                    case 1 -> s.rect(x, y, rw, rh, Encodings.COPY_RECT).u16(rnd.nextInt(w - rw + 1))
                            .u16(rnd.nextInt(h - rh + 1));
                    case 2 -> {
                        w = 1 + rnd.nextInt(200);
                        h = 1 + rnd.nextInt(200);
                        if (rnd.nextBoolean()) {
                            s.rect(0, 0, w, h, Encodings.DESKTOP_SIZE);
                        } else {
                            s.rect(0, 0, w, h, Encodings.EXTENDED_DESKTOP_SIZE).u8(1).u8(0).u8(0).u8(0)
                                    .u32(0).u16(0).u16(0).u16(w).u16(h).u32(0);
                        }
                    }
                    case 3 -> {
                        int cw = 1 + rnd.nextInt(16);
                        int ch = 1 + rnd.nextInt(16);
                        s.rect(rnd.nextInt(cw), rnd.nextInt(ch), cw, ch, Encodings.CURSOR)
                                .pixels(RfbDecoderTest.randomImage(rnd, cw, ch, 3, 2))
                                .bytes(randomBytes(rnd, (cw + 7) / 8 * ch));
                    }
                    case 4 -> s.rect(0, 0, w, h, Encodings.QEMU_EXTENDED_KEY_EVENT);
                    default -> {
                        ZrleEncoder.Mode mode = ZrleEncoder.Mode.values()[rnd.nextInt(ZrleEncoder.Mode.values().length)];
                        int[] img = RfbDecoderTest.randomImage(rnd, rw, rh, 1 + rnd.nextInt(40), 1 + rnd.nextInt(20));
                        s.rect(x, y, rw, rh, Encodings.ZRLE).bytes(zrle.rectangle(img, rw, 0, 0, rw, rh, mode));
                    }
                }
            }
        }
        return handshakeEnd;
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static String save(long seed, int i, byte[] input) {
        try {
            Path dir = Path.of("target", "fuzz-failures");
            Files.createDirectories(dir);
            Path f = dir.resolve(seed + "-" + i + ".bin");
            Files.write(f, input);
            return f.toAbsolutePath().toString();
        } catch (IOException e) {
            return "(not saved: " + e + ")";
        }
    }

    private static String stack(Thread t) {
        StringBuilder b = new StringBuilder("\nworker stack:");
        for (StackTraceElement e : t.getStackTrace()) {
            b.append("\n  at ").append(e);
        }
        return b.toString();
    }
}
