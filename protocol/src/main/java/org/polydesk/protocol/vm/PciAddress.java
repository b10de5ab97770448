package org.polydesk.protocol.vm;

/**
 * PCI addresses as definitions give them ({@code gpu}, {@code pciDevices}): "01:00.0" or
 * "0000:01:00.0", any case. Every process compares them in one form.
 */
public final class PciAddress {
    private PciAddress() {
    }

    /** Lower case, with the domain: "01:00.0" is "0000:01:00.0", as sysfs names the device. */
    public static String canonical(String bdf) {
        String lower = bdf.toLowerCase(java.util.Locale.ROOT);
        return lower.length() == 7 ? "0000:" + lower : lower;
    }
}
