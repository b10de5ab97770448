package org.polydesk.input.hotkey;

/** What a chord does: focus a slot, or the next or previous running VM (the control UI included). */
public record HotkeyAction(Kind kind, int slot) {
    public enum Kind { SLOT, NEXT, PREVIOUS }

    public static HotkeyAction slot(int slot) {
        return new HotkeyAction(Kind.SLOT, slot);
    }

    public static final HotkeyAction NEXT = new HotkeyAction(Kind.NEXT, -1);
    public static final HotkeyAction PREVIOUS = new HotkeyAction(Kind.PREVIOUS, -1);

    @Override
    public String toString() {
        return kind == Kind.SLOT ? "slot " + slot : kind.name().toLowerCase();
    }
}
