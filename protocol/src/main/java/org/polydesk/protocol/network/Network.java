package org.polydesk.protocol.network;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A network as the user defines it. {@code name}: 1–12 of a–z, 0–9 and '-', starting with a letter
 * (its bridge is {@code pd-NAME}). {@code address}: the bridge's own address with the subnet's prefix
 * ({@code 10.77.0.1/24}), the VMs' gateway and DNS server; required for {@code nat}, and for
 * {@code isolated} with DHCP. {@code dhcp}: dnsmasq hands out leases on it (default: on for nat, off
 * for isolated). {@code uplink}: the physical NIC a {@code bridged} network enslaves.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Network(String name, NetworkKind kind, String address, Boolean dhcp, String uplink) {
    public static final String NAME = "name", KIND = "kind", ADDRESS = "address", DHCP = "dhcp", UPLINK = "uplink";
    /** What a network's name may be. */
    public static final java.util.regex.Pattern NAME_FORM = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,11}");
    /** Bridge names are the network's with this prefix (IFNAMSIZ: 15 characters in all). */
    public static final String BRIDGE_PREFIX = "pd-";

    public String bridge() {
        return BRIDGE_PREFIX + name;
    }

    /** Whether dnsmasq serves DHCP on it: as asked, else on for nat only. */
    public boolean dhcpOn() {
        return dhcp != null ? dhcp : kind == NetworkKind.NAT;
    }
}
