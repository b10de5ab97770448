package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmState;

/**
 * What polydeskd tells its subscribers about a VM. {@code seq} grows by one per event so a
 * subscriber can tell it missed some. {@code state} is the VM's state after the event (absent only
 * on {@code deleted}). {@code gpu} is set on the events of a VM with a GPU by passthrough: on
 * {@code running} the VM owns the card; on {@code stopped} and {@code crashed} the card is back with
 * dom0 (absent when giving it back failed; {@code detail} then says why). {@code monitor} is set on
 * {@code running} when the VM's definition places it on one of dom0's monitors.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LifecycleEvent(long seq, Type type, UUID vm, String name, Integer slot, VmSockets sockets, String detail,
                             Gpu gpu, VmState state, String monitor) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public LifecycleEvent {
    }

    /** An event that places no VM on a monitor. */
    public LifecycleEvent(long seq, Type type, UUID vm, String name, Integer slot, VmSockets sockets, String detail,
                          Gpu gpu, VmState state) {
        this(seq, type, vm, name, slot, sockets, detail, gpu, state, null);
    }

    /**
     * The passed-through GPU: its address and every function of its card. {@code console} is true
     * when the card drives dom0's screen: on {@code running} dom0's framebuffer console and
     * firmware framebuffer (/dev/fb0) are gone, so the display server sends its frames over the
     * viewer channel; on {@code stopped}/{@code crashed} they are back.
     */
    public record Gpu(String address, List<String> functions, boolean console) {
    }

    /**
     * What happened. The state events ({@code starting} … {@code suspended}) name the state the VM
     * entered; {@code running} also follows a resume, a reboot and a restart after a crash.
     * {@code changed} also tells of a CD inserted or ejected.
     */
    public enum Type {
        @com.fasterxml.jackson.annotation.JsonProperty("created") CREATED,
        @com.fasterxml.jackson.annotation.JsonProperty("changed") CHANGED,
        @com.fasterxml.jackson.annotation.JsonProperty("deleted") DELETED,
        @com.fasterxml.jackson.annotation.JsonProperty("starting") STARTING,
        @com.fasterxml.jackson.annotation.JsonProperty("running") RUNNING,
        @com.fasterxml.jackson.annotation.JsonProperty("paused") PAUSED,
        @com.fasterxml.jackson.annotation.JsonProperty("stopping") STOPPING,
        @com.fasterxml.jackson.annotation.JsonProperty("stopped") STOPPED,
        @com.fasterxml.jackson.annotation.JsonProperty("crashed") CRASHED,
        @com.fasterxml.jackson.annotation.JsonProperty("suspended") SUSPENDED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The event that tells a VM entered {@code state}. */
        public static Type of(VmState state) {
            return valueOf(state.name());
        }

        /** A state a VM stays in until someone (or a crash) acts: what a waiting caller waits for. */
        public boolean settled() {
            return this == RUNNING || this == PAUSED || this == STOPPED || this == CRASHED || this == SUSPENDED;
        }
    }
}
