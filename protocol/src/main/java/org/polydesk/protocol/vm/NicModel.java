package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * The network card an HVM guest sees: Intel e1000 and Realtek RTL8139 have drivers in every OS;
 * virtio is paravirtual (on Xen, the PV network interface, netfront, alone).
 */
public enum NicModel {
    @JsonProperty("e1000") E1000("e1000"),
    @JsonProperty("virtio") VIRTIO("virtio-net-pci"),
    @JsonProperty("rtl8139") RTL8139("rtl8139");

    private final String qemuDevice;

    NicModel(String qemuDevice) {
        this.qemuDevice = qemuDevice;
    }

    /** QEMU's {@code -device} name (also what qemu-xen takes as xl's vif {@code model}). */
    public String qemuDevice() {
        return qemuDevice;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NicModel fromWireName(String name) {
        for (NicModel m : values()) {
            if (m.wireName().equals(name)) {
                return m;
            }
        }
        return null;
    }
}
