package org.polydesk.toolstack.xlcfg;

/** An option inside one disk, vif or pci entry that a Polydesk device cannot hold, and why. */
public record DeviceOption(String name, String reason) {
}
