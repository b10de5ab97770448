package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * How a disk is attached: SATA (an AHCI controller; every OS has a driver, Windows' installer
 * included) or virtio (paravirtual, faster, built into Linux and the BSDs). On Xen, SATA is the
 * emulated AHCI disk (xl's {@code hdtype = "ahci"}) and virtio the PV disk ({@code xvdX}).
 */
public enum DiskBus {
    @JsonProperty("sata") SATA,
    @JsonProperty("virtio") VIRTIO;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DiskBus fromWireName(String name) {
        for (DiskBus b : values()) {
            if (b.wireName().equals(name)) {
                return b;
            }
        }
        return null;
    }
}
