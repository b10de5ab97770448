package org.polydesk.toolstack.qemu;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether KVM is worth using. An openable /dev/kvm is not enough: under nested virtualisation KVM
 * may lack CPU features of QEMU's CPU model, and guests then hang in early boot. QEMU says so
 * when it creates the CPU, so a paused QEMU that is asked to quit at once tells us.
 */
public final class KvmProbe {
    private static final Path DEVICE = Path.of("/dev/kvm");

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
        try {
            Process p = new ProcessBuilder(List.of(qemu.toString(), "-accel", "kvm", "-machine", "q35", "-nodefaults",
                    "-no-user-config", "-display", "none", "-S", "-m", "16", "-qmp", "stdio"))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null")))
                    .start();
            p.getOutputStream().write("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(false, "QEMU with KVM did not answer within 10 s");
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
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
        }
    }
}
