package org.polydesk.usb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.qmp.QmpClient;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.testsupport.TestProcesses;

/**
 * USB devices on a machine that has them (issue 19): the Linux test guest gets QEMU's xHCI with a
 * USB stick (serial STICK1) and a keyboard, and runs {@link UsbInGuest} — udevd, polydeskd, the input
 * server and a nested guest — with the host's JDK and our classes over virtio-9p. This test plugs
 * and pulls that machine's devices through its QEMU's QMP when the guest asks ("USB-HOST plug ID" /
 * "unplug ID"): the stick pulled out, plugged in again (the same stick: serial STICK1), a second stick
 * (STICK2) and a second keyboard; polydeskd is killed and started again in between. Every step the
 * guest reports must PASS.
 */
@Tag("system")
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class UsbTest {
    static final List<String> STEPS = List.of("u-list", "u-nested-up", "u-assign", "u-unplug", "u-rule", "u-focused",
            "u-restart", "u-keyboard", "u-errors", "u-stop-returns");
    /** What the guest may ask to plug: QEMU device_add arguments by id. */
    private static final Map<String, Map<String, String>> PLUGGABLE = Map.of(
            "stickagain", Map.of("driver", "usb-storage", "bus", "xhci.0", "drive", "stickagain", "serial", "STICK1"),
            "stick2", Map.of("driver", "usb-storage", "bus", "xhci.0", "drive", "stick2", "serial", "STICK2"),
            "kbd2", Map.of("driver", "usb-kbd", "bus", "xhci.0"));

    @TempDir
    Path tmp;
    private Process qemu;

    @AfterEach
    void stop() throws Exception {
        if (qemu != null) {
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void devicesGoWhereTheRulesAndTheFocusSendThemAndNeverTheKeyboard() throws Exception {
        Path stick = tmp.resolve("stick.img");
        try (var f = java.nio.channels.FileChannel.open(stick, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.wrap(new byte[] {0}), (8 << 20) - 1);
        }
        Path script = TestGuest.javaRunScript("usb", List.of("-Xmx96m"), UsbInGuest.class.getName(),
                TestGuest.guestPath(TestGuest.kernel()), TestGuest.guestPath(TestGuest.initrd()));
        Path dir = script.getParent();
        Path console = tmp.resolve("console.log");
        Path qmp = tmp.resolve("qmp.sock");
        String image = stick.toString().replace(",", ",,");
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "2048", "-smp", "2",
                "-machine", "q35", "-nodefaults", "-device", "VGA", "-display", "none", "-no-reboot",
                "-serial", "file:" + console, "-qmp", "unix:" + qmp + ",server=on,wait=off",
                "-kernel", TestGuest.kernel().toString(), "-initrd", TestGuest.initrd().toString(),
                "-append", TestGuest.cmdlineRunning("303060", script),
                "-device", "qemu-xhci,id=xhci"));
        for (String drive : List.of("stick", "stickagain", "stick2")) {
            cmd.addAll(List.of("-drive", "if=none,id=" + drive + ",format=raw,readonly=on,file=" + image));
        }
        cmd.addAll(List.of("-device", "usb-storage,bus=xhci.0,drive=stick,id=stick,serial=STICK1",
                "-device", "usb-kbd,bus=xhci.0,id=kbd"));
        cmd.addAll(TestGuest.hostRootArgs());
        qemu = TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("qemu.log").toFile()));

        List<String> done = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(35);
        try (QmpClient monitor = connect(qmp)) {
            while (true) {
                String out = read(console);
                List<String> requests = TestGuest.tagged(out, "USB-HOST");
                for (String request : requests.subList(done.size(), requests.size())) {
                    act(monitor, request);
                    done.add(request);
                }
                if (out.contains("USB-END") || out.contains(TestGuest.RUN_EXIT) || !qemu.isAlive()) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "the guest did not finish within 35 min:\n" + tail(out));
                Thread.sleep(250);
            }
        } finally {
            Files.copy(console, dir.resolve("console.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String out = read(console);
        List<String> steps = TestGuest.tagged(out, "USB-STEP");
        for (String step : STEPS) {
            assertTrue(steps.stream().anyMatch(s -> s.startsWith(step + " PASS")), step + " did not pass: "
                    + steps.stream().filter(s -> s.startsWith(step + " ")).findFirst().orElse("never reported")
                    + "\n(the guest's console: " + dir.resolve("console.log") + ")\n" + tail(out));
        }
        assertEquals(STEPS.size(), steps.size(), "one report per step, no failed extra (run): " + steps);
    }

    private static QmpClient connect(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return QmpClient.connect(socket, e -> { }, Duration.ofSeconds(30));
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** "plug ID" (one of {@link #PLUGGABLE}) or "unplug ID", on the guest machine's QEMU. */
    private static void act(QmpClient monitor, String request) throws IOException {
        String[] words = request.strip().split(" ");
        var args = Json.mapper().createObjectNode();
        if (words[0].equals("unplug")) {
            monitor.execute("device_del", args.put("id", words[1]), Duration.ofSeconds(30));
        } else if (words[0].equals("plug") && PLUGGABLE.containsKey(words[1])) {
            PLUGGABLE.get(words[1]).forEach(args::put);
            monitor.execute("device_add", args.put("id", words[1]), Duration.ofSeconds(30));
        } else {
            throw new IllegalArgumentException("the guest asked for an unknown plug: " + request);
        }
    }

    private static String read(Path console) throws IOException {
        return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1).replace("\r", "") : "";
    }

    private static String tail(String out) {
        List<String> lines = out.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
