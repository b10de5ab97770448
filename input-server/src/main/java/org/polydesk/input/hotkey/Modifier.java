package org.polydesk.input.hotkey;

import org.polydesk.input.evdev.EventCodes;

/** The modifiers a chord may use; left and right keys count the same. */
public enum Modifier {
    CTRL(EventCodes.KEY_LEFTCTRL, EventCodes.KEY_RIGHTCTRL),
    ALT(EventCodes.KEY_LEFTALT, EventCodes.KEY_RIGHTALT),
    SHIFT(EventCodes.KEY_LEFTSHIFT, EventCodes.KEY_RIGHTSHIFT),
    META(EventCodes.KEY_LEFTMETA, EventCodes.KEY_RIGHTMETA);

    private final int left;
    private final int right;

    Modifier(int left, int right) {
        this.left = left;
        this.right = right;
    }

    public boolean isKey(int code) {
        return code == left || code == right;
    }

    public static Modifier of(int code) {
        for (Modifier m : values()) {
            if (m.isKey(code)) {
                return m;
            }
        }
        return null;
    }

    public static Modifier named(String name) {
        return switch (name) {
            case "ctrl", "control" -> CTRL;
            case "alt" -> ALT;
            case "shift" -> SHIFT;
            case "meta", "super", "win", "logo" -> META;
            default -> null;
        };
    }
}
