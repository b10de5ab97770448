package org.polydesk.toolstack.gpu;

import java.util.List;
import java.util.UUID;

/**
 * What was taken from dom0 for a VM's GPU, written down before the first change so that whoever
 * gives it back (this daemon, or the next one after a crash) knows what to restore: every function
 * of the card with the driver dom0 had bound it to, and, when the card drove dom0's console, the
 * virtual consoles and firmware framebuffer that were unbound.
 *
 * @param target     the driver that holds the functions for the guest: pciback (Xen) or vfio-pci (QEMU)
 * @param functions  the card's functions, the display function first
 * @param vtconsoles the {@code /sys/class/vtconsole} entries that were bound to a framebuffer
 * @param framebuffers the firmware framebuffer platform devices (efifb, simpledrm, vesafb) that were bound
 */
public record Handover(UUID vm, String gpu, int vendorId, String target, List<Function> functions,
                       List<String> vtconsoles, List<Framebuffer> framebuffers) {

    /** A PCI function and the dom0 driver it was bound to ({@code null}: none). */
    public record Function(String address, String originalDriver) {
    }

    /** A platform device and its driver, e.g. efi-framebuffer.0 bound to efi-framebuffer. */
    public record Framebuffer(String device, String driver) {
    }

    /** dom0's console was on this GPU and has been taken off it. */
    public boolean console() {
        return !vtconsoles.isEmpty() || !framebuffers.isEmpty();
    }

    public List<String> addresses() {
        return functions.stream().map(Function::address).toList();
    }
}
