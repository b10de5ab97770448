package org.polydesk.toolstack.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kernel's uevent messages as polydeskd reads them, and the socket they come from. */
class UeventSocketTest {
    @Test
    void theKernelsMessagesAreReadAndUdevdsSkipped() {
        byte[] add = ("add@/devices/pci0000:00/0000:00:04.0/usb1/1-1\0ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1\0"
                + "SUBSYSTEM=usb\0DEVNAME=bus/usb/001/002\0DEVTYPE=usb_device\0PRODUCT=781/5567/100\0BUSNUM=001\0DEVNUM=002\0SEQNUM=1500\0")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> e = UeventSocket.parse(add, add.length).orElseThrow();
        assertEquals("add", e.get("ACTION"));
        assertEquals("001", e.get("BUSNUM"));
        assertEquals("usb_device", e.get("DEVTYPE"));
        byte[] iface = "bind@/x/1-1:1.0\0ACTION=bind\0SUBSYSTEM=usb\0DEVTYPE=usb_interface\0".getBytes(StandardCharsets.UTF_8);
        assertEquals("bind", UeventSocket.parse(iface, iface.length).orElseThrow().get("ACTION"));
        byte[] udevd = "libudev\0\u00fe\u00ed\u00ca\u00feACTION=add\0".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(UeventSocket.parse(udevd, udevd.length).isEmpty(), "udevd's binary messages are skipped");
        assertTrue(UeventSocket.parse(new byte[0], 0).isEmpty());
    }

    /** The binding against this kernel: the socket opens, joins the group, and a read with nothing to read waits and answers none. */
    @Test
    void theSocketOpensAndAReadWithNothingToReadTimesOut() throws Exception {
        try (UeventSocket socket = UeventSocket.open()) {
            long t0 = System.nanoTime();
            // The host may have an event of its own now and then; none within 200 ms is the usual case.
            socket.next(200);
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        }
    }
}
