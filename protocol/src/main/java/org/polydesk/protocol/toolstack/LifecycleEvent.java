package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;
import org.polydesk.protocol.vm.VmSockets;

/**
 * What polydeskd tells its subscribers about a VM. {@code seq} grows by one per event so a
 * subscriber can tell it missed some. {@code gpu} is set on the events of a VM with a GPU by
 * passthrough: on {@code started} the VM owns the card; on {@code stopped} and {@code crashed} the
 * card is back with dom0 (absent when giving it back failed; {@code detail} then says why).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LifecycleEvent(long seq, Type type, UUID vm, String name, Integer slot, VmSockets sockets, String detail,
                             Gpu gpu) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public LifecycleEvent {
    }

    /** An event of a VM without a GPU. */
    public LifecycleEvent(long seq, Type type, UUID vm, String name, Integer slot, VmSockets sockets, String detail) {
        this(seq, type, vm, name, slot, sockets, detail, null);
    }

    /**
     * The passed-through GPU: its address and every function of its card. {@code console} is true
     * when the card drives dom0's screen: on {@code started} dom0's framebuffer console and
     * firmware framebuffer (/dev/fb0) are gone, so the display server sends its frames over the
     * viewer channel; on {@code stopped}/{@code crashed} they are back.
     */
    public record Gpu(String address, List<String> functions, boolean console) {
    }

    public enum Type {
        @com.fasterxml.jackson.annotation.JsonProperty("created") CREATED,
        @com.fasterxml.jackson.annotation.JsonProperty("changed") CHANGED,
        @com.fasterxml.jackson.annotation.JsonProperty("deleted") DELETED,
        @com.fasterxml.jackson.annotation.JsonProperty("started") STARTED,
        @com.fasterxml.jackson.annotation.JsonProperty("stopped") STOPPED,
        @com.fasterxml.jackson.annotation.JsonProperty("crashed") CRASHED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
