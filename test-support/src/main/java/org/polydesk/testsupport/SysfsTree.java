package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds a directory laid out like a host's /sys: PCI functions under /sys/devices/pci0000:00 (behind
 * their bridge) with the /sys/bus/pci/devices links to them, the files polydeskd reads and writes
 * (class, vendor, device, boot_vga, config, reset, reset_method, driver_override), driver
 * directories with bind/unbind (pciback with its slots), IOMMU groups, firmware framebuffers and
 * virtual consoles.
 */
public final class SysfsTree {
    public final Path root;

    public SysfsTree(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.createDirectories(root.resolve("devices/pci0000:00"));
        Files.writeString(Files.createDirectories(root.resolve("bus/pci")).resolve("drivers_probe"), "");
    }

    /** A PCI function; {@code bridge} is the function it sits behind, or null for the root bus. */
    public SysfsTree function(String address, String bridge, int classCode, int vendor, int device, String driver)
            throws IOException {
        Path parent = bridge == null ? root.resolve("devices/pci0000:00") : pciDevice(bridge).toRealPath();
        Path dir = Files.createDirectories(parent.resolve(address));
        Files.writeString(dir.resolve("class"), String.format("0x%06x%n", classCode));
        Files.writeString(dir.resolve("vendor"), String.format("0x%04x%n", vendor));
        Files.writeString(dir.resolve("device"), String.format("0x%04x%n", device));
        Files.writeString(dir.resolve("driver_override"), "(null)\n");
        byte[] config = new byte[256];
        config[0] = (byte) vendor;
        config[1] = (byte) (vendor >> 8);
        config[2] = (byte) device;
        config[3] = (byte) (device >> 8);
        config[4] = 0x07; // command: I/O, memory, bus master
        config[0x10] = 0x0c; // a BAR, to see it restored
        config[0x11] = (byte) 0xe0;
        Files.write(dir.resolve("config"), config);
        Files.createSymbolicLink(pciDevice(address), dir);
        if (driver != null) {
            bind(address, driver);
        }
        return this;
    }

    public SysfsTree bootVga(String address, boolean boot) throws IOException {
        Files.writeString(pciDevice(address).resolve("boot_vga"), boot ? "1\n" : "0\n");
        return this;
    }

    /** A framebuffer its driver made (a DRM driver's fbdev emulation): graphics/{@code fb} under the function. */
    public SysfsTree drmFramebuffer(String address, String fb) throws IOException {
        Files.createDirectories(pciDevice(address).resolve("graphics").resolve(fb));
        return this;
    }

    /**
     * A connector of the DRM card its driver made (drm/{@code card}/{@code card}-{@code connector}
     * under the function): its status, its modes (the preferred first) and an EDID that gives the
     * monitor's size in cm (0 x 0: no EDID at all).
     */
    public SysfsTree drmConnector(String address, String card, String connector, boolean connected, String modes,
                                  int widthCm, int heightCm) throws IOException {
        Path dir = Files.createDirectories(pciDevice(address).resolve("drm").resolve(card).resolve(card + "-" + connector));
        Files.writeString(dir.resolve("status"), connected ? "connected\n" : "disconnected\n");
        Files.writeString(dir.resolve("modes"), modes.isEmpty() ? "" : modes.replace(' ', '\n') + "\n");
        byte[] edid = new byte[widthCm == 0 ? 0 : 128];
        if (edid.length > 0) {
            byte[] header = {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0};
            System.arraycopy(header, 0, edid, 0, 8);
            edid[21] = (byte) widthCm;
            edid[22] = (byte) heightCm;
        }
        Files.write(dir.resolve("edid"), edid);
        return this;
    }

    /** The kernel's reset attribute, with the methods reset_method lists. */
    public SysfsTree reset(String address, String methods) throws IOException {
        Files.writeString(pciDevice(address).resolve("reset"), "");
        Files.writeString(pciDevice(address).resolve("reset_method"), methods + "\n");
        return this;
    }

    /** A PM capability at 0x40 (the only capability), its PMCSR with or without No_Soft_Reset. */
    public SysfsTree pmCapability(String address, boolean noSoftReset) throws IOException {
        byte[] config = Files.readAllBytes(pciDevice(address).resolve("config"));
        config[0x06] |= 0x10;
        config[0x34] = 0x40;
        config[0x40] = 0x01;
        config[0x41] = 0x00;
        config[0x44] = (byte) (noSoftReset ? 0x08 : 0x00);
        Files.write(pciDevice(address).resolve("config"), config);
        return this;
    }

    public SysfsTree iommuGroup(String address, int group) throws IOException {
        Path g = Files.createDirectories(root.resolve("kernel/iommu_groups/" + group + "/devices"));
        Files.createSymbolicLink(g.resolve(address), pciDevice(address).toRealPath());
        Files.createSymbolicLink(pciDevice(address).resolve("iommu_group"), g.getParent());
        return this;
    }

    /** A PCI driver directory; pciback also gets its slot files. */
    public SysfsTree pciDriver(String name) throws IOException {
        Path d = Files.createDirectories(root.resolve("bus/pci/drivers").resolve(name));
        for (String f : name.equals("pciback") ? new String[] {"bind", "unbind", "new_id", "new_slot", "remove_slot", "slots"}
                : new String[] {"bind", "unbind", "new_id"}) {
            if (!Files.exists(d.resolve(f))) {
                Files.writeString(d.resolve(f), "");
            }
        }
        return this;
    }

    /** What the kernel does on a successful bind: the device's driver link and the driver's link back. */
    public void bind(String address, String driver) throws IOException {
        pciDriver(driver);
        Path d = root.resolve("bus/pci/drivers").resolve(driver);
        Files.createSymbolicLink(pciDevice(address).resolve("driver"), d);
        Files.createSymbolicLink(d.resolve(address), pciDevice(address).toRealPath());
    }

    public void unbind(String address) throws IOException {
        Path link = pciDevice(address).resolve("driver");
        Path d = Files.readSymbolicLink(link);
        Files.delete(link);
        Files.deleteIfExists(d.resolve(address));
    }

    /** A firmware framebuffer platform device (efi-framebuffer.0 …), bound to {@code driver} or not. */
    public SysfsTree framebuffer(String device, String driver, boolean bound) throws IOException {
        Path dev = Files.createDirectories(root.resolve("devices/platform").resolve(device));
        Files.createDirectories(root.resolve("bus/platform/devices"));
        Files.createSymbolicLink(root.resolve("bus/platform/devices").resolve(device), dev);
        Path d = Files.createDirectories(root.resolve("bus/platform/drivers").resolve(driver));
        Files.writeString(d.resolve("bind"), "");
        Files.writeString(d.resolve("unbind"), "");
        if (bound) {
            Files.createSymbolicLink(dev.resolve("driver"), d);
        }
        return this;
    }

    public SysfsTree vtconsole(String name, String description, boolean bound) throws IOException {
        Path vt = Files.createDirectories(root.resolve("class/vtconsole").resolve(name));
        Files.writeString(vt.resolve("name"), description + "\n");
        Files.writeString(vt.resolve("bind"), bound ? "1\n" : "0\n");
        return this;
    }

    public Path pciDevice(String address) {
        return root.resolve("bus/pci/devices").resolve(address);
    }

    /** The driver a function is bound to now, or null. */
    public String driverOf(String address) throws IOException {
        Path link = pciDevice(address).resolve("driver");
        return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : null;
    }

    public boolean framebufferBound(String device) {
        return Files.isSymbolicLink(root.resolve("devices/platform").resolve(device).resolve("driver"));
    }

    public String read(String relative) throws IOException {
        return Files.readString(root.resolve(relative)).strip();
    }
}
