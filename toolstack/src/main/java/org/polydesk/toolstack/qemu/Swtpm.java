package org.polydesk.toolstack.qemu;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.rpc.UnixSockets;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.VmRuntimeDir;
import org.polydesk.toolstack.definition.VmStateDir;

/**
 * A VM's TPM 2.0: one swtpm process per VM, its control socket in the VM's run directory, its
 * state (keys, NVRAM) in the VM's state directory so that it survives restarts and is deleted with
 * the VM. swtpm ends by itself ({@code --terminate}) when QEMU closes the connection; polydeskd
 * also ends it when the VM has ended, in case QEMU never connected.
 */
final class Swtpm {
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private Swtpm() {
    }

    /** Starts swtpm for a VM and returns once it listens on {@link VmRuntimeDir#swtpmSocket()}. */
    static ProcessHandle start(Path binary, VmStateDir state, VmRuntimeDir dir, String vmName, Duration timeout)
            throws BackendException {
        Path socket = dir.swtpmSocket();
        try {
            Files.createDirectories(state.tpmState());
            Files.setPosixFilePermissions(state.tpmState(), PosixFilePermissions.fromString("rwx------"));
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir.swtpmPidFile());
            Files.deleteIfExists(dir.swtpmLog());
        } catch (IOException e) {
            throw new BackendException("cannot prepare the TPM state of '" + vmName + "' in " + state.tpmState()
                    + ": " + e.getMessage(), e);
        }
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // Its own session, like the VM's QEMU: both outlive a polydeskd restart.
            cmd.add(SETSID.toString());
        }
        cmd.addAll(List.of(binary.toString(), "socket", "--tpm2",
                "--tpmstate", "dir=" + state.tpmState() + ",mode=0600",
                "--ctrl", "type=unixio,path=" + socket + ",mode=0600",
                "--pid", "file=" + dir.swtpmPidFile(),
                "--terminate"));
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.swtpmLog().toFile())
                    .start();
        } catch (IOException e) {
            throw new BackendException("cannot run " + binary + " for the TPM of '" + vmName + "': " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new BackendException("swtpm for the TPM of '" + vmName + "' exited at once (status "
                        + p.exitValue() + "): " + logTail(dir));
            }
            if (Files.exists(socket) && UnixSockets.someoneListens(socket)) {
                return p.toHandle();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop(p.toHandle());
        throw new BackendException("swtpm for the TPM of '" + vmName + "' did not listen on " + socket + " within "
                + timeout.toSeconds() + " s: " + logTail(dir));
    }

    /** The swtpm of a VM that an earlier polydeskd started, if it still runs. */
    static Optional<ProcessHandle> running(VmRuntimeDir dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.swtpmPidFile()).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (handle.isEmpty()) {
                return Optional.empty();
            }
            // The pid may have been reused: only this VM's swtpm names its socket.
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            return cmdline.contains(dir.swtpmSocket().toString()) ? handle : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Ends swtpm (SIGTERM, then SIGKILL) and removes its socket and pid file. */
    static void stop(ProcessHandle swtpm) {
        if (swtpm.isAlive()) {
            swtpm.destroy();
            try {
                swtpm.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                swtpm.destroyForcibly();
            }
        }
    }

    static void removeFiles(VmRuntimeDir dir) {
        try {
            Files.deleteIfExists(dir.swtpmSocket());
            Files.deleteIfExists(dir.swtpmPidFile());
        } catch (IOException e) {
            // Left over files are removed before the next start.
        }
    }

    private static String logTail(VmRuntimeDir dir) {
        try {
            List<String> lines = Files.readAllLines(dir.swtpmLog(), StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return tail.isEmpty() ? "swtpm printed nothing" : String.join(" | ", tail).strip();
        } catch (IOException e) {
            return "no swtpm log";
        }
    }
}
