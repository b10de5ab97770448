package org.polydesk.protocol.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A change of a network, to every {@code events.subscribe} connection: created, changed, deleted, up
 * ({@code active}), down with the reason ({@code failed}), or its DHCP server died and was started
 * again ({@code dhcp-restarted}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkEvent(long seq, Type type, String network, String detail) {
    public enum Type {
        @JsonProperty("created") CREATED,
        @JsonProperty("changed") CHANGED,
        @JsonProperty("deleted") DELETED,
        @JsonProperty("active") ACTIVE,
        @JsonProperty("failed") FAILED,
        @JsonProperty("dhcp-restarted") DHCP_RESTARTED
    }
}
