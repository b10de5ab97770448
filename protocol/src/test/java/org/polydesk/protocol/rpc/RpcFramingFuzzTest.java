package org.polydesk.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of what every JSON-RPC socket reads from its peer: line framing
 * with a small limit, then each line decoded as a client does ({@link RpcMessage#decode}, including an
 * error's problems) and as a server does (a JSON tree).
 * Seeds and findings: {@code src/test/resources/org/polydesk/protocol/rpc/RpcFramingFuzzTestInputs/lines/};
 * {@code scripts/fuzz.sh rpc} fuzzes (with Jackson instrumented too).
 */
class RpcFramingFuzzTest {
    /**
     * Jazzer's hooks (on while fuzzing: {@code -Djazzer.hooks=true}, and by default outside Maven)
     * allocate on the fuzzed thread too, at string and map compares: then the budget has this much
     * slack, which still catches an allocation of a claimed size (those run to gigabytes). The seed
     * runs in mvn verify have no hooks and check the exact budget.
     */
    private static final long HOOK_SLACK = "false".equals(System.getProperty("jazzer.hooks")) ? 0 : 64L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Small, so that the fuzzer meets the limit; the real one is 1 MiB. */
    private static final int LIMIT = 256;

    /**
     * The input is the byte stream. The only ways out are a line, the end of the stream, a
     * LineTooLongException, or a JsonProcessingException for a line that is not an RpcMessage:
     * anything else (NullPointerException, ClassCastException, an index out of bounds, running out
     * of memory, a hang) is a finding. Lines hold no newline and never more than the limit's bytes,
     * and reading allocates in proportion to the input.
     */
    @FuzzTest
    @Timeout(10)
    void lines(byte[] input) throws IOException {
        readAll(input);
        // Again, measured: the first run may load classes (and Jazzer instruments them), which allocates.
        long before = THREADS.getCurrentThreadAllocatedBytes();
        readAll(input);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long budget = 256L * input.length + (1 << 20) + HOOK_SLACK;
        assertTrue(allocated <= budget, "allocated " + allocated + " bytes for " + input.length + " input bytes");
    }

    private static void readAll(byte[] input) throws IOException {
        LineFraming.Reader reader = new LineFraming.Reader(new ByteArrayInputStream(input), LIMIT);
        int lines = 0;
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                assertTrue(line.indexOf('\n') < 0, "a line with its newline");
                assertTrue(line.length() <= LIMIT, "line over the limit");
                assertTrue(++lines <= input.length, "more lines than bytes");
                try {
                    // What a client reads (RpcClient) and what a server reads (RpcServer.serve) from a line.
                    RpcMessage m = RpcMessage.decode(line);
                    m.isNotification();
                    m.error();
                    if (m.error() != null) {
                        m.error().problems();
                    }
                    Json.mapper().writeValueAsString(m);
                } catch (IOException notAMessage) {
                    // refused: JsonProcessingException, or not an object
                }
                try {
                    Json.mapper().readTree(line);
                } catch (JsonProcessingException notJson) {
                    // a server answers with a parse error
                }
            }
        } catch (LineFraming.LineTooLongException tooLong) {
            // the one way framing may refuse
        }
    }
}
