package org.polydesk.display.qemu;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.qmp.QmpClient;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.testsupport.Ppm;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.testsupport.TestProcesses;

/**
 * One test guest under QEMU/TCG with its VNC server on a UNIX socket: the command line of the
 * display-server tests (q35, std VGA, no defaults). {@link #close()} always kills QEMU.
 */
public final class QemuGuest implements AutoCloseable {
    private final Path dir;
    private final Path vncSocket;
    private final Process process;
    private QmpClient qmp;

    private QemuGuest(Path dir, Path vncSocket, Process process) {
        this.dir = dir;
        this.vncSocket = vncSocket;
        this.process = process;
    }

    /** Boots the guest filling its screen with {@code rrggbb}; state files go in {@code dir}. */
    public static QemuGuest boot(Path dir, Path vncSocket, String rrggbb) throws IOException, InterruptedException {
        return boot(dir, "unix:" + vncSocket, vncSocket, 256, TestGuest.cmdline(rrggbb), List.of());
    }

    /**
     * Boots the guest with any VNC option ({@code unix:PATH}, {@code 127.0.0.1:N}), memory, kernel
     * command line and extra QEMU options; {@code vncSocket} is the file to wait for, or null.
     */
    public static QemuGuest boot(Path dir, String vnc, Path vncSocket, int memoryMib, String cmdline,
                                 List<String> extra) throws IOException, InterruptedException {
        return boot(dir, vnc, vncSocket, memoryMib, cmdline, extra, "VGA,xres=1024,yres=768");
    }

    /** As above with another display device than a 1024x768 VGA, e.g. "VGA,xres=3840,yres=2160,vgamem_mb=256". */
    public static QemuGuest boot(Path dir, String vnc, Path vncSocket, int memoryMib, String cmdline,
                                 List<String> extra, String display) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("console.log"));
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg",
                "-m", String.valueOf(memoryMib), "-machine", "q35",
                "-nodefaults", "-device", display, "-display", "none",
                "-vnc", vnc,
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "-serial", "file:" + dir.resolve("console.log"),
                "-kernel", TestGuest.kernel().toString(), "-initrd", TestGuest.initrd().toString(),
                "-append", cmdline));
        cmd.addAll(extra);
        Process p = TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()));
        return new QemuGuest(dir, vncSocket, p);
    }

    /**
     * A VNC display number N whose TCP port 5900 + N was free on the loopback a moment ago, for a
     * guest that another guest reaches over QEMU's user network (as 10.0.2.2).
     */
    public static int freeVncDisplay() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int display = probe.getLocalPort() - 5900;
            return display > 0 ? display : 77;
        }
    }

    /** QEMU options for a guest that runs a host program ({@code TestGuest.hostRootArgs()}), on QEMU's user network, and {@code more}. */
    public static List<String> runningArgs(String... more) {
        List<String> args = new java.util.ArrayList<>(TestGuest.hostRootArgs());
        args.addAll(List.of("-netdev", "user,id=n", "-device", "virtio-net-pci,netdev=n"));
        args.addAll(List.of(more));
        return args;
    }

    /** Boots firmware only, no kernel: SeaBIOS's text screen ("No bootable device"). */
    public static QemuGuest bootFirmwareOnly(Path dir, Path vncSocket) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "64", "-machine", "q35",
                "-nodefaults", "-device", "VGA", "-display", "none", "-vnc", "unix:" + vncSocket,
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off");
        Process p = TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()));
        return new QemuGuest(dir, vncSocket, p);
    }

    public Path vncSocket() {
        return vncSocket;
    }

    public Path console() {
        return dir.resolve("console.log");
    }

    public void awaitReady() throws IOException, InterruptedException {
        TestGuest.awaitConsole(console(), TestGuest.READY, 180);
    }

    /** Waits for QEMU's VNC socket to exist. */
    public void awaitSockets() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!((vncSocket == null || Files.exists(vncSocket)) && Files.exists(dir.resolve("qmp.sock")))) {
            if (!process.isAlive()) {
                throw new IOException("QEMU exited: " + Files.readString(dir.resolve("qemu.log")));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU made no sockets within 30 s");
            }
            Thread.sleep(50);
        }
    }

    public synchronized QmpClient qmp() throws IOException, InterruptedException {
        if (qmp == null) {
            awaitSockets();
            qmp = QmpClient.connect(dir.resolve("qmp.sock"), null, Duration.ofSeconds(30));
        }
        return qmp;
    }

    /** QEMU's own picture of the screen, through QMP screendump. */
    public Ppm screendump() throws IOException, InterruptedException {
        Path file = dir.resolve("screen.ppm");
        Files.deleteIfExists(file);
        ObjectNode args = Json.mapper().createObjectNode().put("filename", file.toString());
        qmp().execute("screendump", args, Duration.ofSeconds(30));
        return Ppm.read(file);
    }

    /** Presses and releases each key in turn (QMP send-key; QEMU's qcode names: "o", "k", "ret"). */
    public void sendKeys(String... qcodes) throws IOException, InterruptedException {
        for (String key : qcodes) {
            ObjectNode args = Json.mapper().createObjectNode();
            args.putArray("keys").addObject().put("type", "qcode").put("data", key);
            qmp().execute("send-key", args, Duration.ofSeconds(10));
        }
    }

    /** Presses the keys together, then releases them (QMP send-key: a chord such as "ctrl", "alt", "f2"). */
    public void sendChord(String... qcodes) throws IOException, InterruptedException {
        ObjectNode args = Json.mapper().createObjectNode();
        var keys = args.putArray("keys");
        for (String key : qcodes) {
            keys.addObject().put("type", "qcode").put("data", key);
        }
        qmp().execute("send-key", args, Duration.ofSeconds(10));
    }

    /** Puts the absolute pointer (QEMU's usb-tablet) at ({@code x}, {@code y}) as fractions of its range, 0 to 1. */
    public void pointTablet(double x, double y) throws IOException, InterruptedException {
        ObjectNode args = Json.mapper().createObjectNode();
        var events = args.putArray("events");
        events.addObject().put("type", "abs").putObject("data").put("axis", "x").put("value", (int) Math.round(x * 32767));
        events.addObject().put("type", "abs").putObject("data").put("axis", "y").put("value", (int) Math.round(y * 32767));
        qmp().execute("input-send-event", args, Duration.ofSeconds(10));
    }

    /** QEMU's picture of one head of one display device ({@code device}: its QEMU id). */
    public Ppm screendump(String device, int head) throws IOException, InterruptedException {
        Path file = dir.resolve("screen-" + device + "-" + head + ".ppm");
        Files.deleteIfExists(file);
        ObjectNode args = Json.mapper().createObjectNode().put("filename", file.toString()).put("device", device)
                .put("head", head);
        qmp().execute("screendump", args, Duration.ofSeconds(30));
        return Ppm.read(file);
    }

    /** SIGKILL, as a crashing VM would end; waits until the process is gone. */
    public void kill() throws InterruptedException {
        if (qmp != null) {
            qmp.close();
            qmp = null;
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
