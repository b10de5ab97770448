package org.polydesk.input.hotkey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcException;

/**
 * input.config.get and input.config.set: the chords and the pointer mode in use, and their change.
 * A change is checked as a whole (every problem named with its field, nothing changed when there is
 * one), written to the settings file (a temporary file in the same directory, fsynced, renamed over
 * it, the directory fsynced: a crash leaves the old file or the new one, never half), and only then
 * handed to {@code apply} (the router), so what is used is what a restart would read. The file's
 * other settings (screen, uiVncSocket) are kept as they are written there.
 */
public final class SettingsStore {
    private static final Logger LOG = Logger.getLogger(SettingsStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Consumer<InputConfig> apply;
    private InputConfig current;

    /** {@code initial}: what the service started with; {@code apply}: makes a changed config the one in use. */
    public SettingsStore(Path file, InputConfig initial, Consumer<InputConfig> apply) {
        this.file = file;
        this.current = initial;
        this.apply = apply;
    }

    public Path file() {
        return file;
    }

    public synchronized InputSettings get() {
        return settingsOf(current);
    }

    public synchronized InputConfig current() {
        return current;
    }

    /** Checks, stores, then applies; answers the settings as stored (chords written the one way). */
    public synchronized InputSettings set(InputSettings wanted) throws RpcException {
        Checked c = check(wanted);
        if (!c.problems.isEmpty()) {
            throw RpcException.invalid(ErrorCode.INVALID_PARAMS, c.problems);
        }
        InputConfig next = current.withHotkeys(c.hotkeys, c.pointer);
        try {
            write(next);
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "the settings were not changed: cannot write " + file + ": "
                    + e.getMessage());
        }
        current = next;
        apply.accept(next);
        LOG.info("settings changed (" + file + "): pointer " + pointer(next) + ", hotkeys " + next.hotkeys());
        return settingsOf(next);
    }

    static InputSettings settingsOf(InputConfig c) {
        List<InputSettings.Hotkey> list = new ArrayList<>();
        c.hotkeys().forEach((chord, action) -> list.add(new InputSettings.Hotkey(chord.toString(), action.toString())));
        return new InputSettings(list, pointer(c));
    }

    private static String pointer(InputConfig c) {
        return c.pointer().wireName();
    }

    record Checked(Map<Chord, HotkeyAction> hotkeys, InputSettings.PointerMode pointer, List<Problem> problems) {
    }

    /** Every problem of {@code s}, each with its field; the parsed chords when there is none. */
    static Checked check(InputSettings s) {
        List<Problem> problems = new ArrayList<>();
        Map<Chord, HotkeyAction> hotkeys = new LinkedHashMap<>();
        Map<Chord, Integer> firstAt = new HashMap<>();
        if (s == null || s.hotkeys() == null) {
            problems.add(new Problem(InputSettings.HOTKEYS, "hotkeys must be the list of chords, each with its action"));
        } else {
            for (int i = 0; i < s.hotkeys().size(); i++) {
                InputSettings.Hotkey h = s.hotkeys().get(i);
                String chordField = InputSettings.field(i, InputSettings.Hotkey.CHORD);
                String actionField = InputSettings.field(i, InputSettings.Hotkey.ACTION);
                Chord chord = null;
                if (h == null || h.chord() == null || h.chord().isBlank()) {
                    problems.add(new Problem(chordField, "the chord is empty; write it like ctrl+alt+f1"));
                } else {
                    try {
                        chord = Chord.parse(h.chord());
                    } catch (IllegalArgumentException e) {
                        problems.add(new Problem(chordField, e.getMessage()));
                    }
                }
                HotkeyAction action = h == null ? null : InputConfig.action(h.action());
                if (action == null) {
                    problems.add(new Problem(actionField, InputConfig.ACTION_PROBLEM
                            + (h == null || h.action() == null ? "" : ", not '" + h.action() + "'")));
                }
                if (chord != null) {
                    Integer before = firstAt.putIfAbsent(chord, i);
                    if (before != null) {
                        problems.add(new Problem(chordField, "'" + h.chord() + "' is the same chord as hotkeys["
                                + before + "] (" + chord + "); a chord can do one thing only"));
                    } else if (action != null) {
                        hotkeys.put(chord, action);
                    }
                }
            }
            boolean reachesUi = s.hotkeys().stream().anyMatch(h -> h != null
                    && HotkeyAction.slot(FocusBus.UI_SLOT).equals(InputConfig.action(h.action())));
            if (!reachesUi) {
                problems.add(new Problem(InputSettings.HOTKEYS, "no chord leads to the control UI (slot 0): without one,"
                        + " the keyboard could never bring it back"));
            }
        }
        InputSettings.PointerMode mode = s == null ? null : InputSettings.PointerMode.of(s.pointer());
        if (mode == null) {
            problems.add(new Problem(InputSettings.POINTER, InputConfig.POINTER_PROBLEM
                    + (s == null || s.pointer() == null ? "" : ", not '" + s.pointer() + "'")));
        }
        return new Checked(hotkeys, mode, problems);
    }

    /** The file with hotkeys and pointer replaced and its other members as they were. */
    private void write(InputConfig next) throws IOException {
        ObjectNode root;
        try {
            JsonNode old = JSON.readTree(Files.readString(file));
            if (old == null || !old.isObject()) {
                throw new IOException(file + " is not a JSON object; it is left as it is: correct or remove it");
            }
            root = (ObjectNode) old;
        } catch (NoSuchFileException e) {
            root = JSON.createObjectNode();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON (" + e.getOriginalMessage() + "); it is left as it is:"
                    + " correct or remove it");
        }
        ObjectNode keys = JSON.createObjectNode();
        next.hotkeys().forEach((chord, action) -> keys.put(chord.toString(), action.toString()));
        root.set(InputConfig.HOTKEYS, keys);
        root.put(InputConfig.POINTER, pointer(next));
        byte[] bytes = (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".tmp-", "");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            tmp.toFile().setReadable(true, false);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
