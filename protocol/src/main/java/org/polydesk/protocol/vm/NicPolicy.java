package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a VM's NIC may reach, enforced by nftables in dom0 on its tap or vif (never on the MAC or IP
 * the guest claims): {@code open} — everything its network allows; {@code internet-only} — not the
 * LAN (private, link-local and the uplink's addresses), not other VMs, and of dom0 only DHCP and DNS;
 * {@code offline} — nothing at all; {@code allowed} — only the hosts and ports of the NIC's allowed
 * list (anywhere: LAN, internet, other VMs) and dom0's DHCP and DNS.
 */
public enum NicPolicy {
    @JsonProperty("open") OPEN("open"),
    @JsonProperty("internet-only") INTERNET_ONLY("internet-only"),
    @JsonProperty("offline") OFFLINE("offline"),
    @JsonProperty("allowed") ALLOWED("allowed");

    private final String wireName;

    NicPolicy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static NicPolicy fromWireName(String name) {
        for (NicPolicy p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        return null;
    }
}
