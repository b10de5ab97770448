package org.polydesk.toolstack.xlcfg;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of the xl.cfg importer that {@code xlcfg.parse} runs on text
 * from any client: the lexer, the parser and every key's reading. Seeds (real xl.cfg files and
 * edges) and findings: {@code src/test/resources/org/polydesk/toolstack/xlcfg/XlConfigFuzzTestInputs/importText/};
 * {@code scripts/fuzz.sh xlcfg} fuzzes.
 */
class XlConfigFuzzTest {

    /**
     * The input is the file, as UTF-8. importText either returns a definition with its remarks or
     * throws XlConfigException (XlSyntaxException is one) naming a line of the file; nothing else
     * (no NumberFormatException, IllegalArgumentException from a builder, index errors, no hang).
     */
    @FuzzTest
    @Timeout(10)
    void importText(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int lines = 1 + (int) text.chars().filter(c -> c == '\n').count();
        try {
            // var: the result and remark types are moving to protocol's toolstack package.
            var result = XlConfigImporter.importText(text);
            assertNotNull(result.definition());
            for (var r : result.unsupported()) {
                assertTrue(r.line() >= 0 && r.line() <= lines, "remark on line " + r.line() + " of " + lines);
            }
            for (var r : result.notes()) {
                assertTrue(r.line() >= 0 && r.line() <= lines, "note on line " + r.line() + " of " + lines);
            }
        } catch (XlSyntaxException e) {
            assertTrue(e.line() >= 1 && e.line() <= lines && e.column() >= 1, "syntax error at " + e.getMessage());
        } catch (XlConfigException e) {
            assertTrue(e.line() >= 0 && e.line() <= lines, "error on line " + e.line() + " of " + lines);
        }
    }
}
