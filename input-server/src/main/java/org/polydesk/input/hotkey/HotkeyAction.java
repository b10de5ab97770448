package org.polydesk.input.hotkey;

/**
 * What a chord does: focus a slot, the next or previous running VM (the control UI included), or
 * dom0's text console (the administrator's login).
 */
public record HotkeyAction(Kind kind, int slot) {
    public enum Kind { SLOT, NEXT, PREVIOUS, CONSOLE }

    public static HotkeyAction slot(int slot) {
        return new HotkeyAction(Kind.SLOT, slot);
    }

    public static final HotkeyAction NEXT = new HotkeyAction(Kind.NEXT, -1);
    public static final HotkeyAction PREVIOUS = new HotkeyAction(Kind.PREVIOUS, -1);
    public static final HotkeyAction CONSOLE = new HotkeyAction(Kind.CONSOLE, -1);

    @Override
    public String toString() {
        return kind == Kind.SLOT ? "slot " + slot : kind.name().toLowerCase();
    }
}
