package org.polydesk.protocol.focus;

import java.util.List;

/**
 * The input server's settings a person changes ({@code input.config.get} answers them,
 * {@code input.config.set} replaces them as a whole): the switching chords and the pointer mode.
 * A chord is written like {@code ctrl+alt+f1} (modifiers ctrl, alt, shift, meta, then a Linux key
 * name in lower case); its action is {@code slot N} (0 the control UI, 1–9 the VMs), {@code next},
 * {@code previous} or {@code console} (dom0's text console, the administrator's login). {@code pointer}: {@code auto} (the default: a VM with a USB tablet gets places,
 * any other mouse motion), {@code relative} (every VM gets mouse motion) or {@code absolute} (every VM
 * gets places; for VMs whose tablet polydeskd does not know of). A problem's field is {@code hotkeys[i].chord},
 * {@code hotkeys[i].action} or {@code pointer}.
 */
public record InputSettings(List<Hotkey> hotkeys, String pointer) {
    public static final String HOTKEYS = "hotkeys", POINTER = "pointer";

    /** The values of {@code pointer}. */
    public enum PointerMode {
        AUTO, RELATIVE, ABSOLUTE;

        /** Whether a VM gets absolute places in this mode; {@code tablet}: it has a USB tablet. */
        public boolean absoluteFor(boolean tablet) {
            return this == ABSOLUTE || (this == AUTO && tablet);
        }

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The mode a wire name names, or null. */
        public static PointerMode of(String wireName) {
            for (PointerMode m : values()) {
                if (m.wireName().equals(wireName)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** One chord and what it does. */
    public record Hotkey(String chord, String action) {
        public static final String CHORD = "chord", ACTION = "action";
    }

    /** The field path of a hotkey's member, for a problem: {@code hotkeys[2].chord}. */
    public static String field(int index, String member) {
        return HOTKEYS + "[" + index + "]." + member;
    }
}
