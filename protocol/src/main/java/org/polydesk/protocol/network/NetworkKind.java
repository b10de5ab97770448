package org.polydesk.protocol.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * What a network of polydeskd connects its VMs to: {@code nat} — a bridge of its own with DHCP and
 * DNS from dnsmasq, masqueraded to dom0's uplink; {@code isolated} — VM to VM only, no uplink,
 * DHCP optional; {@code bridged} — the bridge enslaves a physical NIC, VMs sit on its LAN.
 */
public enum NetworkKind {
    @JsonProperty("nat") NAT,
    @JsonProperty("isolated") ISOLATED,
    @JsonProperty("bridged") BRIDGED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NetworkKind fromWireName(String name) {
        for (NetworkKind k : values()) {
            if (k.wireName().equals(name)) {
                return k;
            }
        }
        return null;
    }
}
