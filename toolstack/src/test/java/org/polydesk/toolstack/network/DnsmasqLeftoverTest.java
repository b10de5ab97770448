package org.polydesk.toolstack.network;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pid file a killed polydeskd left: the dnsmasq it names is ended, but a pid that now belongs
 * to some other program (pids are reused) is left alone; the file goes either way. (Ending a real
 * leftover dnsmasq is shown by NetworksInNamespacesTest.)
 */
class DnsmasqLeftoverTest {
    @TempDir
    Path tmp;

    @Test
    void aPidThatIsNoLongerDnsmasqIsNotKilled() throws Exception {
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            Path pidFile = Dnsmasq.pidFile(tmp, "default");
            Files.writeString(pidFile, other.pid() + "\n");
            Dnsmasq.endLeftover(pidFile);
            assertFalse(other.waitFor(300, TimeUnit.MILLISECONDS), "another program with the pid goes on");
            assertFalse(Files.exists(pidFile));
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aDnsmasqItNamesIsEnded() throws Exception {
        // A program named dnsmasq (a copy of sleep) stands for the leftover: only the name is looked at.
        Path fake = tmp.resolve("dnsmasq");
        Files.copy(Path.of("/bin/sleep"), fake);
        assertTrue(fake.toFile().setExecutable(true));
        Process leftover = new ProcessBuilder(fake.toString(), "30").start();
        try {
            Path pidFile = Dnsmasq.pidFile(tmp, "default");
            Files.writeString(pidFile, leftover.pid() + "\n");
            Dnsmasq.endLeftover(pidFile);
            assertTrue(leftover.waitFor(5, TimeUnit.SECONDS), "the leftover dnsmasq is ended");
            assertFalse(Files.exists(pidFile));
        } finally {
            leftover.destroyForcibly();
        }
    }

    @Test
    void aMissingOrGarbledPidFileIsNoError() throws Exception {
        Dnsmasq.endLeftover(tmp.resolve("none.dnsmasq.pid"));
        Path garbled = Dnsmasq.pidFile(tmp, "x");
        Files.writeString(garbled, "not a pid");
        Dnsmasq.endLeftover(garbled);
        assertFalse(Files.exists(garbled), "a garbled pid file is not read again");
    }
}
