package org.polydesk.testsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A test JVM that dies leaves nothing running: a child JVM starts, through TestProcesses, a process
 * that makes a session of its own (as polydeskd's QEMU does), then is killed with SIGKILL (no
 * shutdown hook runs); the reaper must end that process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TestProcessesTest {
    /** The child JVM: starts {@code setsid sleep 300} through TestProcesses, prints its pid, waits. */
    public static void main(String[] args) throws Exception {
        Process p = TestProcesses.start(new ProcessBuilder("setsid", "sleep", "300"));
        System.out.println(p.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void whatAKilledJvmStartedEndsWithIt() throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                TestProcessesTest.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long pid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            pid = Long.parseLong(out.readLine().strip());
        }
        Optional<ProcessHandle> sleeper = ProcessHandle.of(pid);
        assertTrue(sleeper.isPresent() && sleeper.get().isAlive(), "the child's child runs");

        jvm.destroyForcibly();
        jvm.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (sleeper.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(sleeper.get().isAlive(), "pid " + pid + " outlived the JVM that started it");
    }

    @Test
    void killAllEndsWhatThisJvmStartedButWhatItSpares() throws Exception {
        Process kept = TestProcesses.start(new ProcessBuilder("sleep", "300"));
        Process gone = TestProcesses.start(new ProcessBuilder("setsid", "sleep", "300"));
        try {
            assertTrue(TestProcesses.running().stream().anyMatch(p -> p.pid() == gone.pid()));
            TestProcesses.killAll(kept.toHandle());
            // killAll waits until the kernel says the process is gone; the Process object learns it
            // when the JVM reaps the child, a moment later
            assertTrue(gone.waitFor(10, TimeUnit.SECONDS), "killAll ended the process in a session of its own");
            assertTrue(kept.isAlive(), "killAll spared what it was told to");
        } finally {
            kept.destroyForcibly();
            gone.destroyForcibly();
        }
    }
}
