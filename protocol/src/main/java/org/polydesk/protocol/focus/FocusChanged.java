package org.polydesk.protocol.focus;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * Where the focus is: the slot, the VM in it ({@code null} for the control UI in slot 0 and for dom0's
 * text console, {@link FocusBus#CONSOLE}) and why it moved. {@code seq} grows by one per change so a subscriber can tell it missed some.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FocusChanged(long seq, int slot, UUID vm, Cause cause) {

    public enum Cause {
        /** The focus was there when the subscriber connected. */
        @JsonProperty("initial") INITIAL,
        /** A switching chord on the keyboard. */
        @JsonProperty("hotkey") HOTKEY,
        /** A {@code focus.set} request (the control UI, polyctl). */
        @JsonProperty("request") REQUEST,
        /** The focused VM stopped or crashed; the focus fell back to the control UI. */
        @JsonProperty("vm-gone") VM_GONE
    }
}
