package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real polydeskd (QEMU backend, TCG) in a child JVM, on a socket and a store under a test's
 * directory. The daemon's classes come from the test's own class path, so a module whose tests use
 * this needs the toolstack as a test dependency; test-support itself does not depend on it.
 * A child process can be killed and started again on the same directory, as a real daemon restart.
 */
public final class PolydeskdProcess implements AutoCloseable {
    public static final String MAIN_CLASS = "org.polydesk.toolstack.daemon.Polydeskd";
    private final Path root;
    private final List<String> extraArgs;
    private final String mainClass;
    /** A command the JVM runs under, such as {@code ip netns exec NS}; empty for none. */
    private final List<String> wrapper;
    private Process process;

    private PolydeskdProcess(Path root, List<String> extraArgs, String mainClass) {
        this(root, extraArgs, mainClass, List.of());
    }

    private PolydeskdProcess(Path root, List<String> extraArgs, String mainClass, List<String> wrapper) {
        this.root = root;
        this.extraArgs = List.copyOf(extraArgs);
        this.mainClass = mainClass;
        this.wrapper = List.copyOf(wrapper);
    }

    private PolydeskdProcess(Path root, List<String> extraArgs) {
        this(root, extraArgs, MAIN_CLASS);
    }

    /**
     * Starts polydeskd through another main class that takes polydeskd's options (a test's daemon
     * with simulated parts, the toolstack's TestPolydeskd) and waits for its socket.
     */
    public static PolydeskdProcess startMain(String mainClass, Path root, String... extraArgs)
            throws IOException, InterruptedException {
        PolydeskdProcess p = new PolydeskdProcess(root, List.of(extraArgs), mainClass);
        p.restart();
        return p;
    }

    /** Starts polydeskd and waits until its socket answers. */
    public static PolydeskdProcess start(Path root, String... extraArgs) throws IOException, InterruptedException {
        PolydeskdProcess p = new PolydeskdProcess(root, List.of(extraArgs));
        p.restart();
        return p;
    }

    /**
     * Starts polydeskd under {@code wrapper}, a command that runs the rest of its arguments (e.g.
     * {@code ip netns exec NS}, so that the daemon and its VMs see a test's own network namespace).
     */
    public static PolydeskdProcess startWrapped(List<String> wrapper, Path root, String... extraArgs)
            throws IOException, InterruptedException {
        PolydeskdProcess p = new PolydeskdProcess(root, List.of(extraArgs), MAIN_CLASS, wrapper);
        p.restart();
        return p;
    }

    /** Creates the object without starting the daemon (for a test that starts it later). */
    public static PolydeskdProcess notStarted(Path root, String... extraArgs) {
        return new PolydeskdProcess(root, List.of(extraArgs));
    }

    public Path socket() {
        return root.resolve("run").resolve("polydeskd.sock");
    }

    public Path runDir() {
        return root.resolve("run");
    }

    public Path log() {
        return root.resolve("polydeskd.log");
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the daemon (again) and waits for its socket. */
    public void restart() throws IOException, InterruptedException {
        if (isAlive()) {
            throw new IllegalStateException("polydeskd is already running");
        }
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), mainClass,
                "--state-dir", root.resolve("vms").toString(), "--run-dir", runDir().toString(),
                "--accel", "tcg"));
        cmd.addAll(extraArgs);
        Files.createDirectories(root);
        Files.deleteIfExists(socket());
        process = TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("polydeskd exited with " + process.exitValue() + ":\n" + logText());
            }
            if (Files.exists(socket()) && UnixSocketProbe.answers(socket())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("polydeskd did not open " + socket() + " within 30 s:\n" + logText());
    }

    /** Ends the daemon as a crash would (SIGKILL); its VMs go on running. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the daemon (SIGTERM, as systemd would); its VMs go on running. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
