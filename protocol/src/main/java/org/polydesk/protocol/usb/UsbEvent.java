package org.polydesk.protocol.usb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * A device was plugged in or pulled out, went to a VM or came back to dom0, could not go where
 * it should (with why), or waits for the person to say where ({@code ask}); or the settings
 * changed ({@code device} absent). {@code vm}/{@code vmName}: the VM it went to or came from.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsbEvent(Type type, UsbDevice device, UUID vm, String vmName, String detail) {
    public enum Type {
        @JsonProperty("plugged") PLUGGED,
        @JsonProperty("removed") REMOVED,
        @JsonProperty("assigned") ASSIGNED,
        @JsonProperty("released") RELEASED,
        @JsonProperty("failed") FAILED,
        @JsonProperty("ask") ASK,
        @JsonProperty("changed") CHANGED
    }
}
