package org.polydesk.input.qemu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.qmp.QmpClient;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.testsupport.TestGuest;

/**
 * The input server on real evdev devices: it runs inside a Linux guest (the host's JDK and this
 * build, over virtio-9p), grabs the guest's PS/2 keyboard, and the outer QEMU types on that
 * keyboard with QMP send-key. A chord moves the focus (seen on the focus bus), keys then reach the
 * VM in slot 1 (a fake QMP server inside the guest), and no chord key reaches it.
 */
class RealDevicesInGuestTest {
    @Test
    void theInputServerGrabsTheRealKeyboardAndAHotkeyMovesTheFocus() throws Exception {
        // The script lives in the checkout, which the guest sees at TestGuest.GUEST_CHECKOUT.
        Path dir = TestGuest.checkout().resolve("input-server/target/in-guest");
        Files.createDirectories(dir);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String classpath = TestGuest.guestClassPath(cp);
        Path script = dir.resolve("run.sh");
        Files.writeString(script, "exec " + Path.of(System.getProperty("java.home"), "bin", "java")
                + " -XX:TieredStopAtLevel=1 -Xshare:auto -cp " + classpath + " " + InGuestCheck.class.getName() + "\n");
        Path console = dir.resolve("console.log");
        Files.deleteIfExists(console);
        try (Guest g = Guest.boot(dir, "208020", TestGuest.hostRootArgs(), TestGuest.cmdlineRunning("208020", script), 1024)) {
            TestGuest.awaitConsole(console, "BUS-READY", 240);
            TestGuest.awaitConsole(console, "INPUT-READY", 60);
            try (QmpClient qmp = QmpClient.connect(g.qmp(), null, Duration.ofSeconds(30))) {
                sendKeys(qmp, "a"); // focus is on the control UI (no Xvnc here): reaches no VM
                sendKeys(qmp, "ctrl", "alt", "f1");
                TestGuest.awaitConsole(console, "FOCUS slot=1 cause=hotkey", 60);
                sendKeys(qmp, "h");
                sendKeys(qmp, "i");
                TestGuest.awaitConsole(console, "\"data\":\"i\"}}}]}}", 60);
                sendKeys(qmp, "ctrl", "alt", "f12");
                TestGuest.awaitConsole(console, "FOCUS slot=0 cause=hotkey", 60);
                sendKeys(qmp, "b");
                Thread.sleep(2000);
            }
            String out = Files.readString(console, StandardCharsets.ISO_8859_1);
            assertTrue(out.contains("DEVICE device ") && out.contains("'AT Translated Set 2 keyboard' (keyboard), grabbed"),
                    "the real PS/2 keyboard was probed and grabbed:\n" + out);
            List<String> vm1 = out.lines().filter(l -> l.startsWith("VM1 ")).toList();
            String keys = vm1.stream().map(RealDevicesInGuestTest::qcodes).collect(Collectors.joining(" "));
            // Ctrl and Alt went down in slot 1 before F12 completed the chord, and were released at the switch.
            assertTrue(keys.equals("+h -h +i -i +ctrl +alt -ctrl -alt") || keys.equals("+h -h +i -i +ctrl +alt -alt -ctrl"),
                    "slot 1 got exactly h, i and the chord's modifiers released at the switch, not: " + keys + "\n" + out);
            List<String> tokens = List.of(keys.split(" "));
            assertFalse(tokens.contains("+f1") || tokens.contains("+f12") || tokens.contains("+a") || tokens.contains("+b"), keys);
        }
    }

    /** "+h -h" from an input-send-event line. */
    static String qcodes(String line) {
        try {
            var events = Json.mapper().readTree(line.substring(4)).path("arguments").path("events");
            StringBuilder sb = new StringBuilder();
            for (var e : events) {
                if (e.path("type").asText().equals("key")) {
                    sb.append(sb.length() == 0 ? "" : " ").append(e.path("data").path("down").asBoolean() ? "+" : "-")
                            .append(e.path("data").path("key").path("data").asText());
                }
            }
            return sb.toString();
        } catch (Exception e) {
            throw new AssertionError("not a QMP line: " + line, e);
        }
    }

    private static void sendKeys(QmpClient qmp, String... qcodes) throws Exception {
        ObjectNode args = Json.mapper().createObjectNode();
        ArrayNode keys = args.putArray("keys");
        for (String q : qcodes) {
            keys.addObject().put("type", "qcode").put("data", q);
        }
        args.put("hold-time", 150);
        qmp.execute("send-key", args, Duration.ofSeconds(30));
        Thread.sleep(600);
    }
}
