package org.polydesk.display.sink;

import java.io.IOException;
import java.nio.file.Path;

/** The PCI device behind a device node, read from sysfs ({@code .../device}, a link to it). */
public final class SysfsDevice {
    private SysfsDevice() {
    }

    /**
     * The PCI address of the device {@code sysEntry}'s {@code device} link leads to (e.g.
     * /sys/class/drm/card0 -> 0000:00:02.0), or null: not there, or not a PCI device.
     */
    public static String pciAddress(Path sysEntry) {
        try {
            String name = sysEntry.resolve("device").toRealPath().getFileName().toString();
            return name.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]") ? name : null;
        } catch (IOException e) {
            return null;
        }
    }
}
