package org.polydesk.protocol.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of what dom0 reads from a hostile guest: the viewer channel
 * decoder and the frame region header. In {@code mvn verify} each runs its seeds (and any committed
 * findings) from {@code src/test/resources/org/polydesk/protocol/viewer/ViewerFuzzTestInputs/<method>/};
 * {@code scripts/fuzz.sh viewer-channel|viewer-region} fuzzes.
 */
class ViewerFuzzTest {
    /**
     * Jazzer's hooks (on while fuzzing: {@code -Djazzer.hooks=true}, and by default outside Maven)
     * allocate on the fuzzed thread too, at string and map compares: then the budget has this much
     * slack, which still catches an allocation of a claimed size (those run to gigabytes). The seed
     * runs in mvn verify have no hooks and check the exact budget.
     */
    private static final long HOOK_SLACK = "false".equals(System.getProperty("jazzer.hooks")) ? 0 : 64L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long LARGEST_PAYLOAD = Math.max(Math.max(max(ViewerChannel.HELLO), max(ViewerChannel.FRAME)),
            max(ViewerChannel.CURSOR));

    /**
     * A channel stream: each message must decode or end the stream in EOFException or
     * ViewerProtocolException, nothing else; a decoded message re-encodes to exactly the bytes it
     * came from; nothing allocates beyond a message's checked length (a header claiming 4 GiB
     * allocates nothing).
     */
    @FuzzTest
    @Timeout(10)
    void channel(byte[] input) throws IOException {
        decodeAll(input);
        // Again, measured: the first run may load classes (and Jazzer instruments them), which allocates.
        long before = THREADS.getCurrentThreadAllocatedBytes();
        decodeAll(input);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long budget = 64L * input.length + 2 * LARGEST_PAYLOAD + (1 << 16) + HOOK_SLACK;
        assertTrue(allocated <= budget, "allocated " + allocated + " bytes for " + input.length + " input bytes");
    }

    private static void decodeAll(byte[] input) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        int messages = 0;
        try {
            while (true) {
                int at = input.length - in.available();
                ViewerMessage m = ViewerCodec.read(in);
                int end = input.length - in.available();
                byte[] again = ViewerCodec.encode(m);
                if (!Arrays.equals(again, 0, again.length, input, at, end)) {
                    throw new AssertionError("message " + messages + " (" + m + ") re-encodes to other bytes");
                }
                messages++;
                assertTrue(messages * ViewerChannel.HEADER_BYTES <= input.length, "more messages than headers");
            }
        } catch (EOFException | ViewerProtocolException expected) {
            // the two ways a stream may end
        }
    }

    /**
     * A frame region as a guest may lay it out: bytes 0 and 1 pick the HELLO's screen (1–64 a
     * side), bytes 2–3 (big-endian) how many bytes the mapping falls short of four buffers, the rest
     * is written over the region from its first byte. attach either refuses it with
     * ViewerProtocolException or returns a region whose every buffer lies inside the mapping, whose
     * "showing" field (the guest's, read every frame) is in range or NONE, and which publishes and
     * reads back frames.
     */
    @FuzzTest
    @Timeout(10)
    void region(byte[] input) {
        if (input.length < 4) {
            return;
        }
        int width = 1 + (input[0] & 63);
        int height = 1 + (input[1] & 63);
        int shortBy = ((input[2] & 0xff) << 8) | (input[3] & 0xff);
        long full = FrameRegion.bytesFor(width, height, FrameRegion.MAX_BUFFERS);
        int capacity = (int) Math.max(0, full - shortBy);
        ByteBuffer memory = ByteBuffer.allocate((int) full).order(ByteOrder.LITTLE_ENDIAN);
        memory.put(0, input, 4, (int) Math.min(input.length - 4, full));
        FrameRegion r;
        try {
            r = FrameRegion.attach(memory.slice(0, capacity), width, height);
        } catch (ViewerProtocolException refused) {
            return;
        }
        assertEquals(width, r.width());
        assertEquals(height, r.height());
        assertTrue(r.buffers() >= FrameRegion.MIN_BUFFERS && r.buffers() <= FrameRegion.MAX_BUFFERS, "buffers");
        assertTrue(FrameRegion.bytesFor(width, height, r.buffers()) <= capacity, "buffers past the mapping");
        for (int b = 0; b < r.buffers(); b++) {
            r.pixels(b).put(width * height - 1, 0xFF123456);
        }
        int showing = r.showing();
        assertTrue(showing == FrameRegion.NONE || showing >= 0 && showing < r.buffers(), "showing " + showing);
        for (int current = 0; current < r.buffers(); current++) {
            int next = r.nextBuffer(current);
            assertTrue(next >= 0 && next < r.buffers() && next != current, "next buffer " + next);
        }
        FrameRegion.Published old = r.latest(); // the guest's bytes where dom0 writes
        assertTrue(old == null || old.buffer() >= 0 && old.buffer() < r.buffers(), "latest " + old);
        List<DamageRect> damage = List.of(new DamageRect(0, 0, width, height));
        r.publish(7, r.buffers() - 1, damage);
        assertEquals(new FrameRegion.Published(7, r.buffers() - 1, damage), r.latest());
    }

    private static long max(int type) {
        try {
            return ViewerCodec.maxPayload(type);
        } catch (ViewerProtocolException e) {
            throw new AssertionError(e);
        }
    }
}
