package org.polydesk.display.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which of the kernel's uevents have the monitors looked at: a DRM device's change. */
class UeventsTest {
    private static boolean hotplug(String... fields) {
        byte[] m = String.join("\0", fields).getBytes(StandardCharsets.US_ASCII);
        return Uevents.isDrmChange(m, m.length);
    }

    @Test
    void aDrmDevicesChangeIsOne() {
        assertTrue(hotplug("change@/devices/pci0000:00/0000:00:03.0/virtio1/drm/card1", "ACTION=change",
                "DEVPATH=/devices/pci0000:00/0000:00:03.0/virtio1/drm/card1", "SUBSYSTEM=drm", "HOTPLUG=1", "DEVNAME=dri/card1",
                "DEVTYPE=drm_minor", "SEQNUM=2001", "MAJOR=226", "MINOR=1"));
        assertTrue(hotplug("change@/devices/x/drm/card1", "ACTION=change", "SUBSYSTEM=drm", "SEQNUM=1"), "asked for, no HOTPLUG=1");
        assertFalse(hotplug("add@/devices/x/input/input9", "ACTION=add", "SUBSYSTEM=input", "HOTPLUG=1"), "not drm");
        assertFalse(hotplug("add@/devices/x/drm/card2", "ACTION=add", "SUBSYSTEM=drm", "HOTPLUG=1"), "a card added is not a monitor");
        assertFalse(hotplug("SUBSYSTEM=drmHOTPLUG=1"), "fields are whole");
        assertFalse(hotplug(""), "empty");
    }
}
