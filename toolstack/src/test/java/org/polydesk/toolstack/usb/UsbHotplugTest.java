package org.polydesk.toolstack.usb;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.polydesk.toolstack.linux.UeventSocket;

/** Which device events make polydeskd look at the USB devices again. */
class UsbHotplugTest {
    private static UeventSocket.Event event(UeventSocket.Source source, String devtype) {
        return new UeventSocket.Event(source, Map.of("ACTION", "add", "SUBSYSTEM", "usb", "DEVTYPE", devtype));
    }

    @Test
    void udevdsWordWhileItRunsTheKernelsOtherwiseAndOnlyForDevices() {
        UeventSocket.Event kernel = event(UeventSocket.Source.KERNEL, "usb_device");
        UeventSocket.Event udev = event(UeventSocket.Source.UDEV, "usb_device");
        assertTrue(UsbHotplug.isUsbDevice(kernel));
        assertFalse(UsbHotplug.isUsbDevice(event(UeventSocket.Source.KERNEL, "usb_interface")));
        assertTrue(UsbHotplug.fromTheOneToFollow(udev, true), "udevd runs: after its rules");
        assertFalse(UsbHotplug.fromTheOneToFollow(kernel, true), "udevd runs: QEMU may not know the device yet");
        assertTrue(UsbHotplug.fromTheOneToFollow(kernel, false), "no udevd: the kernel's word");
        assertFalse(UsbHotplug.fromTheOneToFollow(udev, false));
    }
}
