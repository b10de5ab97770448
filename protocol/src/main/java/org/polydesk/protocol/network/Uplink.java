package org.polydesk.protocol.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * dom0's own connection to the world, as NetworkManager keeps it ({@code host.network}): whether
 * NetworkManager answers (and why not), its overall state ({@code connected}, {@code disconnected}…),
 * and each of its devices. polydeskd's bridges and the VMs' taps are not NetworkManager's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Uplink(boolean managed, String state, String problem, List<Device> devices) {
    /** One device: {@code eth0}, {@code ethernet}, {@code connected}, its connection's name, its IPv4 addresses with prefix. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(String name, String type, String state, String connection, List<String> ipv4) {
    }
}
