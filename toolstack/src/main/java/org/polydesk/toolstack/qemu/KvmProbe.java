package org.polydesk.toolstack.qemu;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.qmp.QmpClient;

/**
 * Whether KVM is worth using. An openable /dev/kvm is not enough: under nested virtualisation KVM
 * may lack CPU features of QEMU's CPU model, and guests then hang in early boot. QEMU says so
 * when it creates the CPU, so a paused QEMU that is asked to quit at once tells us. It is asked
 * through protocol's {@link QmpClient} on a QMP socket in a directory of its own; a QEMU that ends
 * before it answers there is judged by its exit and what it said, as one that quits is.
 */
public final class KvmProbe {
    private static final Path DEVICE = Path.of("/dev/kvm");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The outcome, with the reason a person reads in the log. */
    public record Result(boolean usable, String reason) {
    }

    private KvmProbe() {
    }

    public static Result probe(Path qemu) {
        return probe(qemu, DEVICE);
    }

    static Result probe(Path qemu, Path device) {
        if (!Files.isReadable(device) || !Files.isWritable(device)) {
            return new Result(false, device + " cannot be opened");
        }
        Path dir = null;
        Process p = null;
        try {
            dir = Files.createTempDirectory("polydesk-kvm-probe");
            Path socket = dir.resolve("qmp.sock");
            File stderr = dir.resolve("stderr").toFile();
            p = new ProcessBuilder(List.of(qemu.toString(), "-accel", "kvm", "-machine", "q35", "-nodefaults",
                    "-no-user-config", "-display", "none", "-S", "-m", "16",
                    "-qmp", "unix:" + socket + ",server=on,wait=off"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.to(stderr))
                    .start();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            quit(p, socket, deadline);
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return new Result(false, "QEMU with KVM did not answer within " + TIMEOUT.toSeconds() + " s");
            }
            String err = Files.readString(stderr.toPath(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                return new Result(false, "QEMU cannot use KVM: " + err);
            }
            if (err.contains("doesn't support requested feature")) {
                return new Result(false, "KVM lacks CPU features guests need: " + err);
            }
            return new Result(true, "KVM works");
        } catch (IOException e) {
            return new Result(false, "cannot run " + qemu + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
            if (dir != null) {
                deleteQuietly(dir);
            }
        }
    }

    /**
     * Waits for QEMU's QMP socket and asks it to quit; returns early when QEMU ends first (it
     * could not start: its exit says why) or the time is up.
     */
    private static void quit(Process p, Path socket, long deadline) throws InterruptedException {
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(5);
        }
        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
        try (QmpClient qmp = QmpClient.connect(socket, null, left)) {
            qmp.execute("quit", null, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        } catch (IOException e) {
            // QEMU ended before it answered (it cannot run, or it quit before saying so): its exit tells.
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover directory in /tmp harms nothing
        }
    }
}
