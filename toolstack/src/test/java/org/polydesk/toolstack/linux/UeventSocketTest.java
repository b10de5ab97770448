package org.polydesk.toolstack.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The kernel's and udevd's device messages as polydeskd reads them, and the socket they come from. */
class UeventSocketTest {
    private static final String PROPS = "ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1\0SUBSYSTEM=usb\0"
            + "DEVNAME=bus/usb/001/002\0DEVTYPE=usb_device\0PRODUCT=781/5567/100\0BUSNUM=001\0DEVNUM=002\0SEQNUM=1500\0";

    @Test
    void theKernelsMessageIsRead() {
        byte[] add = ("add@/devices/pci0000:00/0000:00:04.0/usb1/1-1\0" + PROPS).getBytes(StandardCharsets.UTF_8);
        UeventSocket.Event e = UeventSocket.parse(add, add.length).orElseThrow();
        assertEquals(UeventSocket.Source.KERNEL, e.source());
        assertEquals("add", e.get("ACTION"));
        assertEquals("usb_device", e.get("DEVTYPE"));
        assertEquals("001", e.get("BUSNUM"));
    }

    @Test
    void udevdsMessageIsReadFromItsHeader() {
        byte[] udev = udev(PROPS.getBytes(StandardCharsets.UTF_8), 0xfeedcafe, 0);
        UeventSocket.Event e = UeventSocket.parse(udev, udev.length).orElseThrow();
        assertEquals(UeventSocket.Source.UDEV, e.source());
        assertEquals("add", e.get("ACTION"));
        assertEquals("002", e.get("DEVNUM"));
    }

    @Test
    void malformedMessagesAreNone() {
        byte[] props = PROPS.getBytes(StandardCharsets.UTF_8);
        byte[] wrongMagic = udev(props, 0x12345678, 0);
        assertTrue(UeventSocket.parse(wrongMagic, wrongMagic.length).isEmpty());
        byte[] pastTheEnd = udev(props, 0xfeedcafe, 1000);
        assertTrue(UeventSocket.parse(pastTheEnd, pastTheEnd.length).isEmpty(), "properties said to run past the message");
        byte[] noHeader = "ACTION=add\0SUBSYSTEM=usb\0".getBytes(StandardCharsets.UTF_8);
        assertTrue(UeventSocket.parse(noHeader, noHeader.length).isEmpty());
        assertTrue(UeventSocket.parse(new byte[0], 0).isEmpty());
        byte[] shortUdev = "libudev\0xx".getBytes(StandardCharsets.UTF_8);
        assertTrue(UeventSocket.parse(shortUdev, shortUdev.length).isEmpty());
    }

    /** udevd's layout: "libudev\0", magic (big-endian), header size, properties offset and length, filters. */
    private static byte[] udev(byte[] props, int magic, int extraLength) {
        ByteBuffer b = ByteBuffer.allocate(40 + props.length).order(ByteOrder.nativeOrder());
        b.put("libudev\0".getBytes(StandardCharsets.US_ASCII));
        b.order(ByteOrder.BIG_ENDIAN).putInt(magic).order(ByteOrder.nativeOrder());
        b.putInt(40).putInt(40).putInt(props.length + extraLength).putInt(0).putInt(0).putInt(0).putInt(0);
        b.put(props);
        return b.array();
    }

    /** The binding against this kernel: the socket opens, joins both groups, and a read with nothing to read times out. */
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
