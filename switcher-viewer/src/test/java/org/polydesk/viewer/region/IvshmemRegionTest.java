package org.polydesk.viewer.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/** Finding the ivshmem device in a sysfs tree the test builds, and the reasons for refusing one. */
class IvshmemRegionTest {
    private static final int W = 1024;
    private static final int H = 768;

    @TempDir
    Path pci;

    private Path device(String address, String vendor, String device, long barBytes, String enable) throws IOException {
        Path d = Files.createDirectories(pci.resolve(address));
        Files.writeString(d.resolve("vendor"), vendor + "\n");
        Files.writeString(d.resolve("device"), device + "\n");
        Files.writeString(d.resolve("enable"), enable + "\n");
        try (RandomAccessFile bar = new RandomAccessFile(d.resolve("resource2").toFile(), "rw")) {
            bar.setLength(barBytes);
        }
        return d;
    }

    @Test
    void theOneIvshmemDeviceHoldsTheRegionAndHelloOffersItsSize() throws Exception {
        device("0000:00:01.0", "0x1234", "0x1111", 16 << 20, "1"); // the VGA card: not ours
        Path ivshmem = device("0000:00:03.0", "0x1af4", "0x1110", 128 << 20, "0");
        assertEquals(List.of(ivshmem), IvshmemRegion.devices(pci));

        IvshmemRegion r = IvshmemRegion.create(pci, null, W, H, 3);
        assertEquals(new ViewerMessage.Ivshmem(FrameRegion.bytesFor(W, H, 3)), r.offer());
        assertEquals(3, r.region().buffers());
        assertEquals("1", Files.readString(ivshmem.resolve("enable")), "memory decoding switched on");
        try (RandomAccessFile bar = new RandomAccessFile(ivshmem.resolve("resource2").toFile(), "r")) {
            assertEquals(FrameRegion.MAGIC, Integer.reverseBytes(bar.readInt()), "the header is laid out in the BAR");
        }
    }

    @Test
    void whatCannotHoldTheRegionIsRefusedWithItsReason() throws Exception {
        assertEquals("this VM has no ivshmem device (1af4:1110)",
                assertThrows(IOException.class, () -> IvshmemRegion.create(pci, null, W, H, 2)).getMessage());
        device("0000:00:03.0", "0x1af4", "0x1110", 1 << 20, "1");
        assertEquals("the ivshmem BAR of 0000:00:03.0 holds 1048576 bytes; a 1024x768 region with 2 buffers takes "
                + FrameRegion.bytesFor(W, H, 2),
                assertThrows(IOException.class, () -> IvshmemRegion.create(pci, null, W, H, 2)).getMessage());
        device("0000:00:04.0", "0x1af4", "0x1110", 64 << 20, "1");
        assertEquals("this VM has 2 ivshmem devices (0000:00:03.0, 0000:00:04.0): name dom0's with --ivshmem ADDRESS",
                assertThrows(IOException.class, () -> IvshmemRegion.create(pci, null, W, H, 2)).getMessage());
        assertEquals(2, IvshmemRegion.create(pci, "0000:00:04.0", W, H, 2).region().buffers());
        device("0000:00:01.0", "0x1234", "0x1111", 64 << 20, "1");
        assertEquals("PCI device 0000:00:01.0 is not an ivshmem device (1af4:1110)",
                assertThrows(IOException.class, () -> IvshmemRegion.create(pci, "0000:00:01.0", W, H, 2)).getMessage());
    }
}
