package org.polydesk.protocol.focus;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/**
 * Where the focus is: the slot, the VM in it ({@code null} for the control UI in slot 0 and for dom0's
 * text console, {@link FocusBus#CONSOLE}) and why it moved. {@code seq} grows by one per change so a
 * subscriber can tell it missed some. With several monitors ({@link FocusBus#HEADS_SET}) also what
 * each shows ({@code heads}, in the layout's order) and the one under the pointer, whose slot has the
 * keyboard ({@code head}); both are absent while the input server knows of no monitors.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FocusChanged(long seq, int slot, UUID vm, Cause cause, List<HeadShown> heads, String head) {

    @JsonCreator
    public FocusChanged(@JsonProperty("seq") long seq, @JsonProperty("slot") int slot, @JsonProperty("vm") UUID vm,
                        @JsonProperty("cause") Cause cause, @JsonProperty("heads") List<HeadShown> heads,
                        @JsonProperty("head") String head) {
        this.seq = seq;
        this.slot = slot;
        this.vm = vm;
        this.cause = cause;
        this.heads = heads == null ? null : List.copyOf(heads);
        this.head = head;
    }

    /** On one screen, no monitors known. */
    public FocusChanged(long seq, int slot, UUID vm, Cause cause) {
        this(seq, slot, vm, cause, null, null);
    }

    public enum Cause {
        /** The focus was there when the subscriber connected. */
        @JsonProperty("initial") INITIAL,
        /** A switching chord on the keyboard. */
        @JsonProperty("hotkey") HOTKEY,
        /** A {@code focus.set} request (the control UI, polyctl). */
        @JsonProperty("request") REQUEST,
        /** The focused VM stopped or crashed; the focus fell back to the control UI. */
        @JsonProperty("vm-gone") VM_GONE,
        /** The pointer crossed onto another monitor: its slot has the keyboard now. */
        @JsonProperty("pointer") POINTER,
        /** A monitor came or went ({@link FocusBus#HEADS_SET}); a vanished one's slot moved to another. */
        @JsonProperty("layout") LAYOUT
    }
}
