package org.polydesk.input.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.evdev.KeyTable;
import org.polydesk.testsupport.TestProcesses;

/**
 * The control UI's keyboard layout, end to end but for the UI itself: the UI's own launcher
 * (ui-vm/polydesk-ui-xvnc.sh) starts TigerVNC's Xvnc and applies the layout the installer wrote
 * (German, no dead keys) before it starts the UI, here an X client that records every key press
 * (xev). The input server's RFB sink types keys by their place on the keyboard: the UI must get
 * what a German keyboard says, not the US symbols.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RfbSinkLayoutTest {
    private static final Path LAUNCHER = Path.of("..", "ui-vm", "polydesk-ui-xvnc.sh").toAbsolutePath().normalize();
    private static final Pattern KEY_PRESS = Pattern.compile("KeyPress event.*?keysym 0x[0-9a-f]+, (\\w+)", Pattern.DOTALL);

    @TempDir
    Path dir;
    private Process launcher;

    @AfterEach
    void stop() throws InterruptedException {
        if (launcher != null) {
            launcher.destroy(); // its trap ends Xvnc and the UI
            launcher.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theUiTypesWhatTheInstalledLayoutSays() throws Exception {
        Path keyboard = dir.resolve("keyboard");
        Files.writeString(keyboard, "XKBMODEL=\"pc105\"\nXKBLAYOUT=\"de\"\nXKBVARIANT=\"nodeadkeys\"\nXKBOPTIONS=\"\"\n");
        Path query = dir.resolve("query.txt");
        Path keys = dir.resolve("xev.txt");
        Path ui = dir.resolve("ui.sh");
        Files.writeString(ui, "#!/bin/sh\nsetxkbmap -query > " + query + ".tmp && mv " + query + ".tmp " + query
                + "\nexec stdbuf -oL xev -root -event keyboard > " + keys + "\n");
        ui.toFile().setExecutable(true);
        Path socket = dir.resolve("vnc.sock");
        ProcessBuilder pb = new ProcessBuilder("bash", LAUNCHER.toString(), "--vnc-socket", socket.toString(),
                "--geometry", "320x200", "--display", freeDisplay()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("launcher.log").toFile());
        pb.environment().put("POLYDESK_UI", ui.toString());
        pb.environment().put("POLYDESK_KEYBOARD_FILE", keyboard.toString());
        launcher = TestProcesses.start(pb);
        String applied = awaitFile(query, "layout");
        assertTrue(applied.matches("(?s).*layout:\\s+de\\n.*") && applied.matches("(?s).*variant:\\s+nodeadkeys\\n.*"),
                applied + "\nlauncher: " + Files.readString(dir.resolve("launcher.log")));
        awaitFile(keys, "");

        try (RfbSink sink = new RfbSink(socket)) {
            // xev's file exists before xev listens: keys typed before that are lost. Type a probe ("a",
            // the same on both layouts) until xev reports one, then count only what follows.
            int before = listening(sink, keys);
            // Y and Z trade places on a German keyboard; Shift makes the capital; "minus" is ß.
            for (String key : List.of("y", "z", "leftshift+y", "minus")) {
                boolean shift = key.startsWith("leftshift+");
                String name = shift ? key.substring(10) : key;
                if (shift) {
                    sink.key(KeyTable.byName("leftshift").code(), true);
                }
                sink.key(KeyTable.byName(name).code(), true);
                sink.key(KeyTable.byName(name).code(), false);
                if (shift) {
                    sink.key(KeyTable.byName("leftshift").code(), false);
                }
            }
            sink.flush();
            List<String> expected = List.of("z", "y", "Shift_L", "Z", "ssharp");
            List<String> pressed = List.of();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < until) {
                List<String> all = presses(Files.readString(keys));
                pressed = all.subList(Math.min(before, all.size()), all.size());
                if (pressed.size() >= expected.size()) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals(expected, pressed, "the keys the UI got");
        }
    }

    /** Types "a" until xev reports it; returns how many presses xev has reported once it is quiet again. */
    private static int listening(RfbSink sink, Path keys) throws IOException, InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            sink.key(KeyTable.byName("a").code(), true);
            sink.key(KeyTable.byName("a").code(), false);
            sink.flush();
            Thread.sleep(300);
            if (!presses(Files.readString(keys)).isEmpty()) {
                int n = -1;
                for (int seen = presses(Files.readString(keys)).size(); seen != n; seen = presses(Files.readString(keys)).size()) {
                    n = seen;
                    Thread.sleep(300);
                }
                assertTrue(presses(Files.readString(keys)).stream().allMatch("a"::equals), Files.readString(keys));
                return n;
            }
        }
        throw new AssertionError("xev reported no key in 20 s of typing 'a': " + Files.readString(keys));
    }

    private static List<String> presses(String xev) {
        Matcher m = KEY_PRESS.matcher(xev);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The file's text once it exists and contains {@code text}. */
    private String awaitFile(Path file, String text) throws IOException, InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (Files.exists(file)) {
                String s = Files.readString(file);
                if (s.contains(text)) {
                    return s;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(file + " never said '" + text + "'; launcher: " + Files.readString(dir.resolve("launcher.log")));
    }

    /** An X display number no server holds. */
    private static String freeDisplay() {
        for (long n = 500 + ProcessHandle.current().pid() % 200; ; n++) {
            if (!Files.exists(Path.of("/tmp/.X11-unix/X" + n)) && !Files.exists(Path.of("/tmp/.X" + n + "-lock"))) {
                return ":" + n;
            }
        }
    }
}
