package org.polydesk.protocol.focus;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the pointer is in {@code slot}'s screen, as fractions of its width and height (0 to 1):
 * input-server keeps the pointer in its own screen units and does not know a guest's resolution.
 * Published only for a slot whose input is absolute (the control UI's Xvnc, a VM with a USB
 * tablet), where this place is where the guest's pointer is; a guest with a relative mouse moves
 * its pointer itself and no one outside knows where. Received from another process: the
 * constructor refuses a slot or a fraction out of range (and NaN), so a bad event never gets in.
 */
public record PointerMoved(int slot, double x, double y) {
    /** Every field is required: a missing one would otherwise read as 0, the screen's corner. */
    @JsonCreator
    public PointerMoved(@JsonProperty(value = "slot", required = true) int slot,
                        @JsonProperty(value = "x", required = true) double x,
                        @JsonProperty(value = "y", required = true) double y) {
        if (!FocusBus.isSlot(slot)) {
            throw new IllegalArgumentException("pointer.moved for slot " + slot + ", outside 0–" + FocusBus.MAX_SLOT);
        }
        if (!(x >= 0 && x <= 1) || !(y >= 0 && y <= 1)) {
            throw new IllegalArgumentException("pointer.moved to (" + x + ", " + y + "), outside the screen's 0–1");
        }
        this.slot = slot;
        this.x = x;
        this.y = y;
    }
}
