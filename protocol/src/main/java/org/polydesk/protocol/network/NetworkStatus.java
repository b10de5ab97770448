package org.polydesk.protocol.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A network as {@code network.list} shows it: its definition, its bridge, whether it is up
 * ({@code active}), its DHCP server's state ({@code running}, {@code restarting}, {@code off}), what
 * went wrong when it is not up, and the VMs whose NICs name it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkStatus(Network network, String bridge, boolean active, String dhcp, String problem,
                            List<String> vms) {
}
