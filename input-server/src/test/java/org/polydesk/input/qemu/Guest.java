package org.polydesk.input.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.testsupport.TestProcesses;

/**
 * One test guest under QEMU/TCG as polydeskd runs a VM (q35, no defaults, so its keyboard is the
 * PS/2 one), with qmp.sock, vnc.sock and its serial in console.log. {@link #close()} kills QEMU.
 */
final class Guest implements AutoCloseable {
    final Path dir;
    private final Process process;

    private Guest(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    static Guest boot(Path dir, String colour, List<String> extra, String cmdline, int memory)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", String.valueOf(memory),
                "-machine", "q35", "-nodefaults", "-no-reboot", "-device", "VGA", "-display", "none",
                "-vnc", "unix:" + dir.resolve("vnc.sock"),
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "-serial", "file:" + dir.resolve("console.log"),
                "-kernel", TestGuest.kernel().toString(), "-initrd", TestGuest.initrd().toString(),
                "-append", cmdline == null ? TestGuest.cmdline(colour) : cmdline));
        cmd.addAll(extra);
        Process p = TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()));
        return new Guest(dir, p);
    }

    Path qmp() {
        return dir.resolve("qmp.sock");
    }

    Path vnc() {
        return dir.resolve("vnc.sock");
    }

    Path console() {
        return dir.resolve("console.log");
    }

    void awaitReady() throws IOException, InterruptedException {
        TestGuest.awaitConsole(console(), TestGuest.READY, 240);
    }

    /** What was typed into the guest since READY, exactly (escape sequences and control bytes included). */
    String typed() throws IOException {
        return TestGuest.typed(console());
    }

    void awaitTyped(String text) throws IOException, InterruptedException {
        TestGuest.awaitTyped(console(), text, 60);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
