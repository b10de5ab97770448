package org.polydesk.toolstack.backend;

import java.util.UUID;

/**
 * The host-side interface of a VM's NIC on one of polydeskd's networks: {@code pv}, the first seven
 * hex digits of the VM's id and the NIC's index — 10 characters, so Xen's {@code -emu} suffix for an
 * HVM guest's emulated NIC still fits IFNAMSIZ. The same name on both backends: the QEMU backend's
 * tap, the Xen backend's vif; the firewall keys the VM's policy by it.
 */
public final class NicNames {
    public static final String PREFIX = "pv";
    public static final int MAX_NICS = 10;
    /** Xen's name for the tap of an HVM guest's emulated NIC is its vif's with this after it. */
    public static final String EMULATED_SUFFIX = "-emu";

    private NicNames() {
    }

    public static String of(UUID vm, int nic) {
        if (nic < 0 || nic >= MAX_NICS) {
            throw new IllegalArgumentException("a VM has at most " + MAX_NICS + " network interfaces");
        }
        return PREFIX + vm.toString().substring(0, 7) + nic;
    }

    /** The host's interfaces of a NIC: its tap or vif and, on Xen with an emulated NIC, the vif's {@code -emu} tap. */
    public static java.util.List<String> sides(String name) {
        return java.util.List.of(name, name + EMULATED_SUFFIX);
    }

    /** Whether {@code name} has the form of one of ours. */
    public static boolean isOurs(String name) {
        return name.length() == 10 && name.startsWith(PREFIX) && name.substring(2).matches("[0-9a-f]{7}[0-9]");
    }
}
