package org.polydesk.display.rfb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.testing.MemoryTransport;
import org.polydesk.display.testing.ServerStream;

/**
 * Coverage-guided fuzzing (Jazzer) of the RFB client as a malicious VNC server meets it: the real
 * {@link RfbConnection} (handshake, message loop, Raw, CopyRect, ZRLE, cursor, desktop size, colour
 * map, cut text) over an in-memory transport. Seeds and findings:
 * {@code src/test/resources/org/polydesk/display/rfb/RfbFuzzTestInputs/<method>/};
 * {@code scripts/fuzz.sh rfb-stream|rfb-messages} fuzzes.
 */
class RfbFuzzTest {
    private static final int MAX_PIXELS = 256 * 256;
    private static final RfbConfig CONFIG = new RfbConfig(Encodings.DEFAULT, 512, 512, MAX_PIXELS, 32, 4096, 1024,
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    /** What {@link #messages} puts before its input: a 64×48 desktop. */
    static final byte[] HANDSHAKE = ServerStream.handshake(64, 48).toByteArray();
    /**
     * Jazzer's hooks (on while fuzzing: {@code -Djazzer.hooks=true}, and by default outside Maven)
     * allocate on the fuzzed thread too, at string and map compares: then the budget has this much
     * slack, which still catches an allocation of a claimed size (those run to gigabytes). The seed
     * runs in mvn verify have no hooks and check the exact budget.
     */
    private static final long HOOK_SLACK = "false".equals(System.getProperty("jazzer.hooks")) ? 0 : 64L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The input is all the server sends, from its version greeting on. */
    @FuzzTest
    @Timeout(10)
    void serverStream(byte[] input) throws IOException {
        check(input, Integer.MAX_VALUE);
    }

    /**
     * After a valid handshake (64×48): byte 0 is how many bytes each read hands over (0: all
     * there is), which splits fields and zlib data across reads; the rest is server messages.
     */
    @FuzzTest
    @Timeout(10)
    void messages(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        byte[] stream = Arrays.copyOf(HANDSHAKE, HANDSHAKE.length + input.length - 1);
        System.arraycopy(input, 1, stream, HANDSHAKE.length, input.length - 1);
        check(stream, input[0] == 0 ? Integer.MAX_VALUE : input[0] & 0xff);
    }

    /**
     * The connection must end in EOFException (the stream ran out) or RfbProtocolException (the
     * server broke the protocol), nothing else; the frame buffer and cursor stay within the limits;
     * and the heap it allocates is bounded by the limits plus a little per input byte, whatever
     * sizes the server claims.
     */
    private static void check(byte[] stream, int chunk) throws IOException {
        run(stream, chunk);
        // Again, measured: the first run may load classes (and Jazzer instruments them), which allocates.
        long before = THREADS.getCurrentThreadAllocatedBytes();
        run(stream, chunk);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long budget = 2L * MAX_PIXELS * 4 + (2L << 20) + 64L * stream.length + HOOK_SLACK;
        assertTrue(allocated <= budget, "allocated " + allocated + " bytes for " + stream.length + " input bytes");
    }

    private static void run(byte[] stream, int chunk) throws IOException {
        FrameBuffer fb = new FrameBuffer(CONFIG.maxPixels());
        RfbListener limits = new RfbListener() {
            @Override
            public void frameUpdated(FrameBuffer frame) {
                assertTrue(frame.surface().pixels().capacity() <= MAX_PIXELS
                        && (long) frame.width() * frame.height() <= MAX_PIXELS,
                        () -> "frame buffer beyond the limit: " + frame.width() + "x" + frame.height());
            }

            @Override
            public void cursorChanged(CursorShape c) {
                assertTrue(c.width() <= CONFIG.maxCursorSize() && c.height() <= CONFIG.maxCursorSize(),
                        () -> "cursor beyond the limit: " + c.width() + "x" + c.height());
            }
        };
        RfbConnection c;
        try {
            c = RfbConnection.over(new MemoryTransport(stream, chunk), CONFIG, fb, limits);
        } catch (EOFException | RfbProtocolException expected) {
            return;
        }
        try {
            c.run();
            throw new AssertionError("run() returned, but only close() may end it");
        } catch (EOFException | RfbProtocolException expected) {
            // how a hostile or vanished server ends a connection
        }
    }
}
