package org.polydesk.toolstack.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/** A VM with a TPM on a host without swtpm: its start is refused, naming what to install, and nothing runs. */
class QemuTpmMissingTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;

    @AfterEach
    void cleanUp() throws Exception {
        if (polydeskd != null) {
            polydeskd.close();
        }
    }

    @Test
    void aTpmWithoutSwtpmInstalledIsAClearErrorAndStartsNothing() throws Exception {
        polydeskd = TestPolydeskd.start(tmp, "--swtpm", "/nonexistent/swtpm");
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        assertEquals(0, polyctl.run("vm", "create", "--name", "Win11", "--os", "win11", "--memory", "256").exit());
        PolyctlRunner.Run start = polyctl.run("vm", "start", "Win11");
        assertNotEquals(0, start.exit(), start.out());
        assertTrue(start.err().contains("swtpm, which is not installed: '/nonexistent/swtpm' was not found"
                + " (apt-get install swtpm swtpm-tools)"), start.err());
        assertEquals("stopped", polyctl.json("vm", "show", "Win11").path("state").asText());
    }
}
