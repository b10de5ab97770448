package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The virtualisation mode, named as xl.cfg(5) names it. */
public enum GuestType {
    @JsonProperty("hvm") HVM,
    @JsonProperty("pvh") PVH,
    @JsonProperty("pv") PV;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
