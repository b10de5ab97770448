package org.polydesk.protocol.viewer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes what dom0 reads from a hostile guest: the channel decoder and the region header check.
 * Valid streams, mutations of them and random bytes must end only in EOFException or
 * ViewerProtocolException, with bounded allocation. Seeded; budget {@code -Dpolydesk.fuzz.seconds}
 * (5 s in the normal run; a long one: {@code mvn -pl protocol test -Dtest=ViewerFuzzTest
 * -Dpolydesk.fuzz.seconds=3600}).
 */
class ViewerFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void channelInputEndsOnlyInProtocolErrorsOrEof() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("polydesk.fuzz.seconds", 5));
        long seed = Long.getLong("polydesk.fuzz.seed", 0x71E3L);
        Map<String, Integer> outcomes = new TreeMap<>();
        long worstAllocation = 0;
        int i = 0;
        for (; System.nanoTime() < deadline; i++) {
            Random rnd = new Random(seed * 1_000_003L + i);
            byte[] input = input(rnd);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            String outcome = decodeAll(input, seed, i);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            // a message never costs more than its header's checked length, plus bookkeeping
            long budget = 64L * input.length + 2L * ViewerCodec.maxPayload(ViewerChannel.HELLO) + (1 << 16);
            assertTrue(allocated <= budget, "input " + i + " (seed " + seed + ") allocated " + allocated + " > " + budget);
            worstAllocation = Math.max(worstAllocation, allocated);
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("viewer channel fuzz: " + i + " inputs, outcomes " + outcomes + ", worst allocation "
                + worstAllocation + " bytes");
        assertTrue(outcomes.getOrDefault("protocol error", 0) > 0 && outcomes.getOrDefault("eof", 0) > 0,
                "the fuzzer reached both ends: " + outcomes);
    }

    private static String decodeAll(byte[] input, long seed, int i) {
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        try {
            for (int messages = 0; ; messages++) {
                ViewerCodec.read(in);
                if (messages > input.length) {
                    throw new AssertionError("more messages than bytes");
                }
            }
        } catch (EOFException e) {
            return "eof";
        } catch (ViewerProtocolException e) {
            return "protocol error";
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("input " + i + " (seed " + seed + ") threw " + e, e);
        }
    }

    private static byte[] input(Random rnd) throws IOException {
        byte[] valid = validStream(rnd);
        switch (rnd.nextInt(4)) {
            case 0:
                return valid;
            case 1: {
                byte[] b = valid.clone();
                for (int n = 1 + rnd.nextInt(4); n > 0 && b.length > 0; n--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 2: {
                byte[] b = valid.clone();
                int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
                ByteBuffer.wrap(b).position(Math.max(0, Math.min(at, b.length - 4)));
                if (b.length >= 4) {
                    ByteBuffer.wrap(b).putInt(Math.min(at, b.length - 4), rnd.nextBoolean() ? -1 : rnd.nextInt());
                }
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            default: {
                byte[] b = new byte[rnd.nextInt(256)];
                rnd.nextBytes(b);
                if (b.length >= 12 && rnd.nextBoolean()) {
                    ByteBuffer.wrap(b).putInt(ViewerChannel.MAGIC).putShort((short) ViewerChannel.VERSION)
                            .putShort((short) (1 + rnd.nextInt(5)));
                }
                return b;
            }
        }
    }

    private static byte[] validStream(Random rnd) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
            ViewerMessage m = switch (rnd.nextInt(5)) {
                case 0 -> new ViewerMessage.Hello(1 + rnd.nextInt(4000), 1 + rnd.nextInt(4000), switch (rnd.nextInt(3)) {
                    case 0 -> new ViewerMessage.SharedFile("polydesk-" + rnd.nextInt(1000), 1 + rnd.nextInt(1 << 30));
                    case 1 -> new ViewerMessage.XenGrants(rnd.nextInt(100), rnd.ints(1 + rnd.nextInt(64)).toArray());
                    default -> new ViewerMessage.Ivshmem(1 + rnd.nextInt(1 << 30));
                });
                case 1 -> new ViewerMessage.Show();
                case 2 -> new ViewerMessage.Hide();
                case 3 -> new ViewerMessage.Frame(rnd.nextLong(), rnd.nextInt(4), List.of(new DamageRect(
                        rnd.nextInt(100), rnd.nextInt(100), 1 + rnd.nextInt(100), 1 + rnd.nextInt(100))));
                default -> new ViewerMessage.Cursor(rnd.nextBoolean(), rnd.nextInt(2000), rnd.nextInt(2000), 0, 0, 2, 2,
                        new int[] {1, 2, 3, 4});
            };
            ViewerCodec.write(m, out);
        }
        return out.toByteArray();
    }

    @Test
    void regionHeadersEitherCheckOutOrAreRefused() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, Long.getLong("polydesk.fuzz.seconds", 5) / 5));
        Random rnd = new Random(Long.getLong("polydesk.fuzz.seed", 0x71E3L));
        ByteBuffer memory = ByteBuffer.allocate((int) FrameRegion.bytesFor(64, 48, 4)).order(ByteOrder.LITTLE_ENDIAN);
        int accepted = 0;
        int refused = 0;
        while (System.nanoTime() < deadline) {
            FrameRegion.create(memory, 64, 48, 2 + rnd.nextInt(3));
            for (int n = rnd.nextInt(4); n >= 0; n--) {
                memory.putInt(4 * rnd.nextInt(10), rnd.nextInt(3) == 0 ? rnd.nextInt() : rnd.nextInt(5));
            }
            int capacity = rnd.nextBoolean() ? memory.capacity() : rnd.nextInt(memory.capacity() + 1);
            try {
                FrameRegion r = FrameRegion.attach(memory.slice(0, capacity), 64, 48);
                r.pixels(r.buffers() - 1).put(r.width() * r.height() - 1, 0xFFFFFFFF);
                accepted++;
            } catch (ViewerProtocolException e) {
                refused++;
            }
        }
        assertTrue(accepted > 0 && refused > 0, accepted + " accepted, " + refused + " refused");
    }
}
