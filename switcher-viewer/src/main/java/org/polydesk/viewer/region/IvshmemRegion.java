package org.polydesk.viewer.region;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * The frame region in BAR 2 of the VM's ivshmem device (a passthrough VM on the QEMU backend):
 * behind it is a file of dom0's that the display server maps as well, so nothing is allocated or
 * granted here. The device is found in sysfs by QEMU's ids and its BAR mapped through the
 * device's {@code resource2}, which needs neither a driver nor native code.
 */
public final class IvshmemRegion implements OfferedRegion {
    public static final Path PCI_DEVICES = Path.of("/sys/bus/pci/devices");
    private static final String VENDOR = "0x1af4";
    private static final String DEVICE = "0x1110";

    private final FrameRegion region;
    private final long size;

    private IvshmemRegion(FrameRegion region, long size) {
        this.region = region;
        this.size = size;
    }

    /** The ivshmem devices under {@code pciDevices} (a /sys/bus/pci/devices), by PCI address. */
    public static List<Path> devices(Path pciDevices) throws IOException {
        if (!Files.isDirectory(pciDevices)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> all = Files.list(pciDevices)) {
            for (Path d : all.sorted().toList()) {
                if (VENDOR.equals(attribute(d, "vendor")) && DEVICE.equals(attribute(d, "device"))) {
                    found.add(d);
                }
            }
        }
        return found;
    }

    /**
     * The region in the one ivshmem device under {@code pciDevices}, or in {@code address} (like
     * 0000:00:03.0) when there are several.
     */
    public static IvshmemRegion create(Path pciDevices, String address, int width, int height, int buffers)
            throws IOException {
        Path device;
        if (address != null) {
            device = pciDevices.resolve(address);
            if (!devices(pciDevices).contains(device)) {
                throw new IOException("PCI device " + address + " is not an ivshmem device (1af4:1110)");
            }
        } else {
            List<Path> all = devices(pciDevices);
            if (all.size() != 1) {
                throw new IOException(all.isEmpty() ? "this VM has no ivshmem device (1af4:1110)"
                        : "this VM has " + all.size() + " ivshmem devices (" + String.join(", ",
                                all.stream().map(p -> p.getFileName().toString()).toList())
                                + "): name dom0's with --ivshmem ADDRESS");
            }
            device = all.get(0);
        }
        return map(device, width, height, buffers);
    }

    private static IvshmemRegion map(Path device, int width, int height, int buffers) throws IOException {
        String name = device.getFileName().toString();
        // Memory decoding is off until something enables the device; there is no driver to do it.
        if ("0".equals(attribute(device, "enable"))) {
            try {
                Files.writeString(device.resolve("enable"), "1");
            } catch (IOException e) {
                throw new IOException("the ivshmem device " + name + " is not enabled, and enabling it failed ("
                        + e.getMessage() + "); polydesk-viewer's udev rule enables it", e);
            }
        }
        Path bar = device.resolve("resource2");
        long size = FrameRegion.bytesFor(width, height, buffers);
        long barSize = Files.size(bar);
        if (barSize < size) {
            throw new IOException("the ivshmem BAR of " + name + " holds " + barSize + " bytes; a " + width + "x"
                    + height + " region with " + buffers + " buffers takes " + size);
        }
        try (FileChannel ch = FileChannel.open(bar, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new IvshmemRegion(FrameRegion.create(ch.map(FileChannel.MapMode.READ_WRITE, 0, size), width, height,
                    buffers), size);
        } catch (AccessDeniedException e) {
            throw new IOException(bar + ": permission denied; polydesk-viewer's udev rule gives the group dialout"
                    + " (that of /dev/ttyS1) access to it", e);
        }
    }

    private static String attribute(Path device, String name) {
        try {
            return Files.readString(device.resolve(name)).strip();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public FrameRegion region() {
        return region;
    }

    @Override
    public ViewerMessage.Region offer() {
        return new ViewerMessage.Ivshmem(size);
    }

    /** Nothing to give back: the memory is dom0's file, the mapping goes with the process. */
    @Override
    public void close() {
    }
}
