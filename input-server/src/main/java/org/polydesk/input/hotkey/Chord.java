package org.polydesk.input.hotkey;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.polydesk.input.evdev.KeyTable;

/**
 * A switching key combination: exactly these modifiers held (either side) and then {@code key}
 * pressed. Written "ctrl+alt+f1" in input.json.
 */
public record Chord(Set<Modifier> modifiers, int key) {
    public Chord {
        modifiers = modifiers.isEmpty() ? EnumSet.noneOf(Modifier.class) : EnumSet.copyOf(modifiers);
    }

    /** Parses "ctrl+alt+f1"; the message of the exception says what is wrong. */
    public static Chord parse(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).strip().split("\\s*\\+\\s*");
        EnumSet<Modifier> mods = EnumSet.noneOf(Modifier.class);
        for (int i = 0; i < parts.length - 1; i++) {
            Modifier m = Modifier.named(parts[i]);
            if (m == null) {
                throw new IllegalArgumentException("'" + parts[i] + "' in '" + text
                        + "' is not a modifier (ctrl, alt, shift, meta)");
            }
            mods.add(m);
        }
        KeyTable.Key key = KeyTable.byName(parts[parts.length - 1]);
        if (key == null) {
            throw new IllegalArgumentException("'" + parts[parts.length - 1] + "' in '" + text + "' is not a key name");
        }
        if (Modifier.of(key.code()) != null) {
            throw new IllegalArgumentException("'" + text + "' ends in a modifier; a chord ends in an ordinary key");
        }
        if (mods.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no modifier; it would take the key from every VM");
        }
        return new Chord(mods, key.code());
    }

    @Override
    public String toString() {
        return modifiers.stream().map(m -> m.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("+"))
                + "+" + KeyTable.byCode(key).name();
    }
}
