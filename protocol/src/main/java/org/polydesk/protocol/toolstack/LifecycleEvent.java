package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.UUID;
import org.polydesk.protocol.vm.VmSockets;

/**
 * What polydeskd tells its subscribers about a VM. {@code seq} grows by one per event so a
 * subscriber can tell it missed some.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LifecycleEvent(long seq, Type type, UUID vm, String name, Integer slot, VmSockets sockets, String detail) {

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
