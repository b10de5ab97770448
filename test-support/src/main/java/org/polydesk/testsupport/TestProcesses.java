package org.polydesk.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The processes a test JVM starts (polydeskd, QEMU, Xvnc, the display and input servers) as one
 * group that cannot outlive it. A process group or session would not do: polydeskd starts each
 * QEMU in a session of its own ({@code setsid}), and a test's "crash" of polydeskd leaves its VMs
 * running, reparented to init. So every process started here carries this JVM's token in its
 * environment ({@value #VARIABLE}), which its descendants inherit whatever session they make, and a
 * small reaper (a shell in a session of its own, so a Ctrl+C of the build does not end it) waits
 * for this JVM to be gone, however it ended, then kills every process that carries the token:
 * SIGTERM, and SIGKILL two seconds later. {@link #killAll} does the same from inside the JVM.
 */
public final class TestProcesses {
    /** The environment variable that marks a process (and its descendants) as this JVM's. */
    public static final String VARIABLE = "POLYDESK_TEST_OWNER";
    private static final String TOKEN = ProcessHandle.current().pid() + "." + UUID.randomUUID();
    private static final String REAPER = String.join("\n",
            "trap '' INT HUP",
            "jvm=$1; mark=\"" + VARIABLE + "=$2\"",
            "while kill -0 \"$jvm\" 2>/dev/null; do sleep 1; done",
            "reap() {",
            "  for e in /proc/[0-9]*/environ; do",
            "    p=${e#/proc/}; p=${p%/environ}",
            "    [ \"$p\" = $$ ] && continue",
            "    tr '\\000' '\\n' < \"$e\" 2>/dev/null | grep -qxF \"$mark\" && kill -$1 \"$p\" 2>/dev/null",
            "  done",
            "}",
            "reap TERM; sleep 2; reap KILL");
    private static Process reaper;

    private TestProcesses() {
    }

    /** This JVM's token, the value of {@value #VARIABLE} in the processes it started. */
    public static String token() {
        return TOKEN;
    }

    /** Starts {@code pb} marked as this JVM's, so that it and its descendants end when the JVM does. */
    public static Process start(ProcessBuilder pb) throws IOException {
        startReaper();
        pb.environment().put(VARIABLE, TOKEN);
        return pb.start();
    }

    /** The live processes that carry this JVM's token. */
    public static List<ProcessHandle> running() {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(TestProcesses::marked).toList();
        }
    }

    /**
     * Kills (SIGKILL) every live process that carries this JVM's token, but {@code spare} and its
     * descendants, and waits up to 10 s for them to go.
     */
    public static void killAll(ProcessHandle... spare) throws InterruptedException {
        Set<Long> kept = new HashSet<>();
        for (ProcessHandle s : spare) {
            kept.add(s.pid());
            s.descendants().forEach(d -> kept.add(d.pid()));
        }
        List<ProcessHandle> doomed = running().stream().filter(p -> !kept.contains(p.pid())).toList();
        doomed.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (ProcessHandle p : doomed) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
    }

    private static boolean marked(ProcessHandle p) {
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "environ"));
            String mark = VARIABLE + "=" + TOKEN;
            for (String entry : new String(env, StandardCharsets.UTF_8).split("\0")) {
                if (entry.equals(mark)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | SecurityException e) {
            return false; // gone, or not ours to read
        }
    }

    private static synchronized void startReaper() throws IOException {
        if (reaper != null && reaper.isAlive()) {
            return;
        }
        String setsid = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : null;
        List<String> cmd = setsid == null
                ? List.of("sh", "-c", REAPER, "polydesk-test-reaper", String.valueOf(ProcessHandle.current().pid()), TOKEN)
                : List.of(setsid, "sh", "-c", REAPER, "polydesk-test-reaper",
                        String.valueOf(ProcessHandle.current().pid()), TOKEN);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove(VARIABLE);
        reaper = pb.start();
    }
}
