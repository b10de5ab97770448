package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum Firmware {
    @JsonProperty("bios") BIOS,
    @JsonProperty("uefi") UEFI;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
