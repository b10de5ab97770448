package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sysfs tree under a test's directory with the PCI devices a test needs, for a real polydeskd
 * started with {@code --sysfs}: the files and links it reads (class, ids, boot_vga, IOMMU group,
 * driver), laid out as the kernel lays them out.
 */
public final class SysfsTree {
    private final Path root;

    public SysfsTree(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * Adds a PCI function. {@code bootVga} null: the file is absent (not a VGA device);
     * {@code driver} null: no driver bound.
     */
    public SysfsTree pci(String address, String cls, String vendor, String device, String bootVga, int iommuGroup,
                         String driver) throws IOException {
        Path d = Files.createDirectories(root.resolve("bus/pci/devices").resolve(address));
        Files.writeString(d.resolve("class"), cls + "\n");
        Files.writeString(d.resolve("vendor"), vendor + "\n");
        Files.writeString(d.resolve("device"), device + "\n");
        if (bootVga != null) {
            Files.writeString(d.resolve("boot_vga"), bootVga + "\n");
        }
        Files.createSymbolicLink(d.resolve("iommu_group"), Path.of("../../../../kernel/iommu_groups/" + iommuGroup));
        if (driver != null) {
            Files.createSymbolicLink(d.resolve("driver"), Path.of("../../../../bus/pci/drivers/" + driver));
        }
        return this;
    }
}
