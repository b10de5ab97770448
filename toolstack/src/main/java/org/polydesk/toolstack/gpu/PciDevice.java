package org.polydesk.toolstack.gpu;

import java.util.List;

/**
 * A PCI function as sysfs describes it. {@code classCode} is the 24-bit class (0x030000 VGA);
 * {@code iommuGroup} and {@code driver} are null when there is none; {@code bootVga} is true for the
 * device that drives dom0's screen: the firmware's boot VGA device, or one whose driver made a
 * framebuffer (dom0's console and display server use it).
 */
public record PciDevice(String address, int classCode, int vendorId, int deviceId, Integer iommuGroup,
                        String driver, boolean bootVga) {

    /** PCI base class 0x03: display controllers (VGA, XGA, 3D, other). */
    public boolean isDisplay() {
        return (classCode >> 16) == 0x03;
    }

    /** Domain, bus and device without the function: "0000:01:00" of "0000:01:00.1". */
    public String slot() {
        return address.substring(0, address.lastIndexOf('.'));
    }

    /** A display device and the other functions of the same card (its HDMI audio, USB-C controller). */
    public record Gpu(PciDevice device, String vendor, String name, List<PciDevice> otherFunctions) {
    }
}
