package org.polydesk.toolstack.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The host's PCI functions from sysfs ({@code /sys/bus/pci/devices}: the files class, vendor,
 * device, boot_vga, the framebuffers under graphics/ and the links iommu_group and driver). Tests
 * point it at a tree they build.
 * A function whose files cannot be read is left out rather than failing the whole list.
 */
public final class SysfsPci {
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");

    private final Path root;
    private final PciIds ids;

    public SysfsPci(Path root, PciIds ids) {
        this.root = root;
        this.ids = ids;
    }

    public List<PciDevice> devices() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<PciDevice> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path dir : entries.sorted().toList()) {
                String address = dir.getFileName().toString();
                if (!ADDRESS.matcher(address).matches()) {
                    continue;
                }
                try {
                    out.add(new PciDevice(address, hex(dir.resolve("class")), hex(dir.resolve("vendor")),
                            hex(dir.resolve("device")), group(dir), driver(dir),
                            drivesScreen(dir)));
                } catch (IOException | NumberFormatException e) {
                    // an odd or vanishing device: not one we can offer
                }
            }
        }
        out.sort(Comparator.comparing(PciDevice::address));
        return out;
    }

    /** Every display device with the other functions of its card. */
    public List<PciDevice.Gpu> gpus() throws IOException {
        List<PciDevice> all = devices();
        List<PciDevice.Gpu> out = new ArrayList<>();
        for (PciDevice d : all) {
            if (!d.isDisplay()) {
                continue;
            }
            List<PciDevice> others = all.stream().filter(o -> o != d && o.slot().equals(d.slot())).toList();
            out.add(new PciDevice.Gpu(d, ids.vendor(d.vendorId()), ids.device(d.vendorId(), d.deviceId()), others));
        }
        return out;
    }

    /**
     * The firmware's boot VGA device, or one whose driver made a framebuffer (graphics/fbN): a display
     * controller that is not VGA class (a bochs-display, many UEFI-only cards) has no boot_vga, yet its
     * DRM driver's framebuffer can be dom0's only screen.
     */
    private static boolean drivesScreen(Path dir) throws IOException {
        if (Files.exists(dir.resolve("boot_vga")) && read(dir.resolve("boot_vga")).equals("1")) {
            return true;
        }
        if (!Files.isDirectory(dir.resolve("graphics"))) {
            return false;
        }
        try (Stream<Path> fbs = Files.list(dir.resolve("graphics"))) {
            return fbs.anyMatch(f -> f.getFileName().toString().matches("fb[0-9]+"));
        }
    }

    private static String read(Path f) throws IOException {
        return Files.readString(f, StandardCharsets.US_ASCII).strip();
    }

    private static int hex(Path f) throws IOException {
        String s = read(f);
        return Integer.parseInt(s.startsWith("0x") ? s.substring(2) : s, 16);
    }

    private static Integer group(Path dir) throws IOException {
        Path link = dir.resolve("iommu_group");
        return Files.isSymbolicLink(link) ? Integer.valueOf(Files.readSymbolicLink(link).getFileName().toString()) : null;
    }

    private static String driver(Path dir) throws IOException {
        Path link = dir.resolve("driver");
        return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : null;
    }
}
