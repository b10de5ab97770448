package org.polydesk.toolstack.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * host.shutdown on the QEMU backend, through polyctl: the test guest (booted, it obeys the power
 * button) powers off by itself; a VM whose firmware finds nothing to boot (nothing answers ACPI) is
 * forced off after the timeout, and polyctl says so; then the power command runs once, after both
 * QEMUs are gone. The power command is a test double (a script writing down its argument and which
 * QEMU processes still lived); the real systemctl is the ISO boot test's. About 45 s (a guest
 * boot and the 20 s timeout), so it runs with the system tests; HostPowerTest shows the same on
 * the stub backend in CI.
 */
@Tag("system")
class QemuHostShutdownTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;

    @AfterEach
    void cleanUp() throws Exception {
        if (polydeskd != null) {
            for (JsonNode vm : new PolyctlRunner(polydeskd.socket()).json("vm", "list")) {
                if (vm.hasNonNull("pid")) {
                    ProcessHandle.of(vm.get("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            polydeskd.close();
        }
    }

    @Test
    void theGuestPowersOffTheDeafVmIsForcedThenTheMachineGoes() throws Exception {
        Path script = tmp.resolve("power");
        Path out = tmp.resolve("power.out");
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--power-command", script.toString());
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        String guest = polyctl.json("vm", "create", "--name", "Guest", "--memory", "256",
                "--kernel", TestGuest.kernel().toString(), "--ramdisk", TestGuest.initrd().toString(),
                "--cmdline", TestGuest.cmdline("30a050")).path("definition").path("id").asText();
        assertEquals(0, polyctl.run("vm", "create", "--name", "Deaf", "--memory", "128").exit());
        assertEquals(0, polyctl.run("vm", "start", "Guest").exit());
        assertEquals(0, polyctl.run("vm", "start", "Deaf").exit());
        long guestPid = polyctl.json("vm", "show", "Guest").path("pid").asLong();
        long deafPid = polyctl.json("vm", "show", "Deaf").path("pid").asLong();
        Files.writeString(script, "#!/bin/sh\nfor p in " + guestPid + " " + deafPid
                + "; do kill -0 $p 2>/dev/null && echo alive $p; done >> " + out + "\necho \"$@\" >> " + out + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        // Once booted, the guest acts on the power button.
        Path console = Paths.vmDir(polydeskd.runDir(), UUID.fromString(guest)).resolve("console.log");
        TestGuest.awaitConsole(console, TestGuest.READY, 240);

        PolyctlRunner.Run run = polyctl.run("host", "shutdown", "--timeout", "20");
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("poweroff: stopping Guest, Deaf (20 s each before forcing)\n"), run.out());
        assertTrue(run.out().contains("  'Guest' powered off.\n"), run.out());
        assertTrue(run.out().contains("  'Deaf' did not power off within 20 s; forcing it off.\n"
                + "  'Deaf' was forced off: it ignored the power-down request until the timeout.\n"), run.out());
        assertTrue(run.out().endsWith("  Every VM is stopped; the machine is powering off.\n"), run.out());
        assertEquals("poweroff\n", Files.readString(out), "the power command ran once, after both QEMUs had ended");
        assertFalse(ProcessHandle.of(guestPid).map(ProcessHandle::isAlive).orElse(false));
        assertEquals("the guest powered off", polyctl.json("vm", "show", "Guest").path("detail").asText());
        assertEquals("destroyed on request", polyctl.json("vm", "show", "Deaf").path("detail").asText());
    }
}
