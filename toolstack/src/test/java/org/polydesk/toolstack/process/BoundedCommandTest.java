package org.polydesk.toolstack.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one runner of polydeskd's short host commands. */
class BoundedCommandTest {
    @Test
    void theOutputInputAndExitAreTheCommands() throws Exception {
        BoundedCommand.Result r = BoundedCommand.run(List.of("sh", "-c", "cat; echo to-stderr >&2; exit 3"), "from stdin\n",
                Duration.ofSeconds(30));
        assertEquals(3, r.exit());
        assertFalse(r.ok());
        assertEquals("from stdin\nto-stderr\n", r.output());
    }

    /** A command that hangs with its output open costs the bound (reading it first would wait for ever). */
    @Test
    void aHungCommandWithItsOutputOpenEndsAtTheBound() {
        long t0 = System.nanoTime();
        BoundedCommand.Failure f = assertThrows(BoundedCommand.Failure.class,
                () -> BoundedCommand.run(List.of("sh", "-c", "echo started; sleep 60"), null, Duration.ofSeconds(1)));
        assertEquals(BoundedCommand.Failure.Kind.TIMED_OUT, f.kind());
        assertTrue(f.getMessage().contains("did not end within 1 s"), f.getMessage());
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "bounded, not the command's 60 s");
    }

    @Test
    void aMissingToolIsSaidSo() {
        BoundedCommand.Failure f = assertThrows(BoundedCommand.Failure.class,
                () -> BoundedCommand.run(List.of("/nonexistent/polydesk-tool"), null, Duration.ofSeconds(5)));
        assertEquals(BoundedCommand.Failure.Kind.NOT_INSTALLED, f.kind());
        assertEquals("cannot run polydesk-tool: it is not installed", f.getMessage(), "the tool, by its name");
    }
}
