package org.polydesk.input.hotkey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.InputSettings;

/**
 * The input server's settings, from {@code /etc/polydesk/input.json}:
 * <pre>
 * {
 *   "hotkeys": {"ctrl+alt+f1": "slot 1", "ctrl+alt+home": "slot 0", "ctrl+alt+right": "next", ...},
 *   "pointer": "auto",
 *   "screen": {"width": 1920, "height": 1080},
 *   "uiVncSocket": "/run/polydesk/ui/vnc.sock"
 * }
 * </pre>
 * Every member is optional. {@code hotkeys}, when present, replaces the defaults of DESIGN.md
 * (Ctrl+Alt+F1…F9 to slots 1–9, Ctrl+Alt+F12 and Ctrl+Alt+Home to the control UI,
 * Ctrl+Alt+Left/Right to cycle, Ctrl+Alt+F11 to dom0's text console). {@code pointer}: {@code auto} (the default: places to a VM that
 * polydeskd gave a USB tablet, motion to the others), {@code relative} or {@code absolute} (every VM
 * alike). {@code hotkeys} and {@code pointer} are also what {@code input.config.set} changes
 * ({@link SettingsStore}).
 */
public record InputConfig(Map<Chord, HotkeyAction> hotkeys, int screenWidth, int screenHeight, Path uiVncSocket,
                          InputSettings.PointerMode pointer) {
    public static final Path DEFAULT_FILE = Path.of("/etc/polydesk/input.json");
    public static final Path DEFAULT_UI_VNC = Path.of("/run/polydesk/ui/vnc.sock");
    static final String HOTKEYS = "hotkeys", POINTER = "pointer", SCREEN = "screen", UI_VNC_SOCKET = "uiVncSocket";
    private static final Set<String> MEMBERS = Set.of(HOTKEYS, POINTER, SCREEN, UI_VNC_SOCKET);

    /** With the pointer mode {@code auto}. */
    public InputConfig(Map<Chord, HotkeyAction> hotkeys, int screenWidth, int screenHeight, Path uiVncSocket) {
        this(hotkeys, screenWidth, screenHeight, uiVncSocket, InputSettings.PointerMode.AUTO);
    }

    public InputConfig withHotkeys(Map<Chord, HotkeyAction> h, InputSettings.PointerMode mode) {
        return new InputConfig(h, screenWidth, screenHeight, uiVncSocket, mode);
    }

    public InputConfig withUiVncSocket(Path socket) {
        return new InputConfig(hotkeys, screenWidth, screenHeight, socket, pointer);
    }

    /** A configuration file that cannot be used; the message names the file and the fault. */
    public static final class ConfigException extends Exception {
        public ConfigException(String message) {
            super(message);
        }
    }

    public static InputConfig defaults() {
        return new InputConfig(defaultHotkeys(), 1920, 1080, DEFAULT_UI_VNC);
    }

    public static Map<Chord, HotkeyAction> defaultHotkeys() {
        Map<Chord, HotkeyAction> m = new LinkedHashMap<>();
        for (int slot = 1; slot <= 9; slot++) {
            m.put(Chord.parse("ctrl+alt+f" + slot), HotkeyAction.slot(slot));
        }
        m.put(Chord.parse("ctrl+alt+f11"), HotkeyAction.CONSOLE);
        m.put(Chord.parse("ctrl+alt+f12"), HotkeyAction.slot(FocusBus.UI_SLOT));
        m.put(Chord.parse("ctrl+alt+home"), HotkeyAction.slot(FocusBus.UI_SLOT));
        m.put(Chord.parse("ctrl+alt+left"), HotkeyAction.PREVIOUS);
        m.put(Chord.parse("ctrl+alt+right"), HotkeyAction.NEXT);
        return m;
    }

    /** Reads the file; a missing file means the defaults. */
    public static InputConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return defaults();
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e);
        }
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    public static InputConfig parse(String text) throws ConfigException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("expected a JSON object with hotkeys, pointer, screen, uiVncSocket");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!MEMBERS.contains(name)) {
                throw new ConfigException("unknown setting '" + name + "' (known: hotkeys, pointer, screen, uiVncSocket)");
            }
        }
        InputConfig d = defaults();
        Map<Chord, HotkeyAction> hotkeys = d.hotkeys();
        if (root.has("hotkeys")) {
            hotkeys = hotkeys(root.get("hotkeys"));
        }
        int width = d.screenWidth();
        int height = d.screenHeight();
        if (root.has("screen")) {
            JsonNode s = root.get("screen");
            width = dimension(s, "width");
            height = dimension(s, "height");
        }
        Path ui = d.uiVncSocket();
        if (root.has("uiVncSocket")) {
            JsonNode u = root.get("uiVncSocket");
            if (!u.isTextual() || !u.asText().startsWith("/")) {
                throw new ConfigException("uiVncSocket must be an absolute path");
            }
            ui = Path.of(u.asText());
        }
        InputSettings.PointerMode pointer = d.pointer();
        if (root.has(POINTER)) {
            JsonNode p = root.get(POINTER);
            pointer = p.isTextual() ? InputSettings.PointerMode.of(p.asText()) : null;
            if (pointer == null) {
                throw new ConfigException(POINTER_PROBLEM);
            }
        }
        return new InputConfig(hotkeys, width, height, ui, pointer);
    }

    static final String POINTER_PROBLEM = "pointer must be \"auto\" (places to VMs with a USB tablet, motion to"
            + " the others), \"relative\" (motion to every VM) or \"absolute\" (places to every VM)";

    private static Map<Chord, HotkeyAction> hotkeys(JsonNode node) throws ConfigException {
        if (!node.isObject()) {
            throw new ConfigException("hotkeys must be an object such as {\"ctrl+alt+f1\": \"slot 1\"}");
        }
        Map<Chord, HotkeyAction> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Chord chord;
            try {
                chord = Chord.parse(e.getKey());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException("hotkey " + ex.getMessage());
            }
            HotkeyAction action = action(e.getKey(), e.getValue());
            if (m.put(chord, action) != null) {
                throw new ConfigException("hotkey '" + e.getKey() + "' is given twice");
            }
        }
        return m;
    }

    private static HotkeyAction action(String chord, JsonNode v) throws ConfigException {
        HotkeyAction a = v.isTextual() ? action(v.asText()) : null;
        if (a == null) {
            throw new ConfigException("hotkey '" + chord + "': " + ACTION_PROBLEM + ", not " + v);
        }
        return a;
    }

    static final String ACTION_PROBLEM = "the action must be \"slot N\" (N from " + FocusBus.UI_SLOT + " to "
            + FocusBus.MAX_SLOT + "), \"next\", \"previous\" or \"console\"";

    /** "slot N", "next", "previous" or "console" (any case); null for anything else. */
    static HotkeyAction action(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("next")) {
            return HotkeyAction.NEXT;
        }
        if (t.equals("previous")) {
            return HotkeyAction.PREVIOUS;
        }
        if (t.equals("console")) {
            return HotkeyAction.CONSOLE;
        }
        if (t.matches("slot\\s+[0-9]{1,3}")) {
            int slot = Integer.parseInt(t.substring(4).strip());
            if (FocusBus.isSlot(slot)) {
                return HotkeyAction.slot(slot);
            }
        }
        return null;
    }

    private static int dimension(JsonNode screen, String name) throws ConfigException {
        JsonNode v = screen.get(name);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > 32768) {
            throw new ConfigException("screen." + name + " must be a whole number of pixels from 1 to 32768");
        }
        return v.asInt();
    }
}
