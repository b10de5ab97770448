package org.polydesk.input.hotkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputConfigTest {
    @TempDir
    Path tmp;

    @Test
    void theDefaultsAreThoseOfTheDesign() throws Exception {
        InputConfig d = InputConfig.load(tmp.resolve("missing.json"));
        assertEquals(HotkeyAction.slot(1), d.hotkeys().get(Chord.parse("ctrl+alt+f1")));
        assertEquals(HotkeyAction.slot(9), d.hotkeys().get(Chord.parse("ctrl+alt+f9")));
        assertEquals(HotkeyAction.slot(0), d.hotkeys().get(Chord.parse("ctrl+alt+f12")));
        assertEquals(HotkeyAction.slot(0), d.hotkeys().get(Chord.parse("alt+ctrl+home")));
        assertEquals(HotkeyAction.NEXT, d.hotkeys().get(Chord.parse("Ctrl + Alt + Right")));
        assertEquals(HotkeyAction.PREVIOUS, d.hotkeys().get(Chord.parse("ctrl+alt+left")));
        assertEquals(HotkeyAction.CONSOLE, d.hotkeys().get(Chord.parse("ctrl+alt+f11")));
        assertEquals(14, d.hotkeys().size());
    }

    @Test
    void aFileReplacesTheHotkeysAndSetsTheScreen() throws Exception {
        Path f = tmp.resolve("input.json");
        Files.writeString(f, "{\"hotkeys\": {\"meta+1\": \"slot 1\", \"meta+grave\": \"next\"},"
                + " \"screen\": {\"width\": 2560, \"height\": 1440}, \"uiVncSocket\": \"/run/ui.sock\"}");
        InputConfig c = InputConfig.load(f);
        assertEquals(2, c.hotkeys().size());
        assertEquals(HotkeyAction.NEXT, c.hotkeys().get(Chord.parse("super+grave")));
        assertEquals(2560, c.screenWidth());
        assertEquals(Path.of("/run/ui.sock"), c.uiVncSocket());
    }

    @Test
    void mistakesAreNamed() throws Exception {
        assertEquals("x.json: not valid JSON: Unexpected character (',' (code 44)): was expecting double-quote to start field name (line 1)",
                message("x.json", "{\"hotkeys\": {,}}"));
        assertEquals("x.json: hotkey 'ctlr' in 'ctlr+alt+f1' is not a modifier (ctrl, alt, shift, meta)",
                message("x.json", "{\"hotkeys\": {\"ctlr+alt+f1\": \"slot 1\"}}"));
        assertEquals("x.json: hotkey 'f13x' in 'ctrl+f13x' is not a key name",
                message("x.json", "{\"hotkeys\": {\"ctrl+f13x\": \"slot 1\"}}"));
        assertEquals("x.json: hotkey 'ctrl+alt+f1': the action must be \"slot N\" (N from 0 to 9), \"next\", \"previous\" or \"console\", not \"slot 10\"",
                message("x.json", "{\"hotkeys\": {\"ctrl+alt+f1\": \"slot 10\"}}"));
        assertEquals("x.json: hotkey 'f5' has no modifier; it would take the key from every VM",
                message("x.json", "{\"hotkeys\": {\"f5\": \"slot 1\"}}"));
        assertEquals("x.json: unknown setting 'hotkey' (known: hotkeys, pointer, screen, uiVncSocket)",
                message("x.json", "{\"hotkey\": {}}"));
        assertEquals("x.json: screen.width must be a whole number of pixels from 1 to 32768",
                message("x.json", "{\"screen\": {\"width\": -4, \"height\": 10}}"));
        assertEquals("x.json: pointer must be \"auto\" (places to VMs with a USB tablet, motion to the others),"
                + " \"relative\" (motion to every VM) or \"absolute\" (places to every VM)",
                message("x.json", "{\"pointer\": \"tablet\"}"));
    }

    private String message(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return assertThrows(InputConfig.ConfigException.class, () -> InputConfig.load(f)).getMessage()
                .replace(f.toString(), name);
    }
}
