package org.polydesk.toolstack.usb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** A sysfs tree whose USB devices a test plugs and pulls as the kernel would show them. */
public final class SysfsUsbTree {
    private final Path devices;

    /** {@code sys}: the tree's root, given to polydeskd as --sysfs. */
    public SysfsUsbTree(Path sys) throws IOException {
        this.devices = Files.createDirectories(sys.resolve("bus/usb/devices"));
        Files.createDirectories(devices.resolve("usb1")); // the controller's root hub
    }

    /** QEMU's usb-storage at {@code port}. */
    public SysfsUsbTree stick(String port, int address, String serial) throws IOException {
        return plug(port, 1, address, "46f4", "0001", serial, "QEMU", "QEMU USB HARDDRIVE", 0, new int[][] {{8, 0x50}});
    }

    /** QEMU's usb-kbd at {@code port}: a HID boot keyboard. */
    public SysfsUsbTree keyboard(String port, int address) throws IOException {
        return plug(port, 1, address, "0627", "0001", null, "QEMU", "QEMU USB Keyboard", 0, new int[][] {{3, 1}});
    }

    public SysfsUsbTree hub(String port, int address) throws IOException {
        return plug(port, 1, address, "0409", "55aa", null, "QEMU", "QEMU USB Hub", 9, new int[][] {{9, 0}});
    }

    /** A device with these attributes; {@code interfaces}: each one's class and protocol. */
    public SysfsUsbTree plug(String port, int bus, int address, String vendor, String product, String serial, String maker,
                             String name, int deviceClass, int[][] interfaces) throws IOException {
        Path d = Files.createDirectories(devices.resolve(port));
        Files.writeString(d.resolve("busnum"), bus + "\n");
        Files.writeString(d.resolve("devnum"), address + "\n");
        Files.writeString(d.resolve("idVendor"), vendor + "\n");
        Files.writeString(d.resolve("idProduct"), product + "\n");
        Files.writeString(d.resolve("bDeviceClass"), String.format("%02x%n", deviceClass));
        Files.writeString(d.resolve("speed"), "480\n");
        if (serial != null) {
            Files.writeString(d.resolve("serial"), serial + "\n");
        }
        Files.writeString(d.resolve("manufacturer"), maker + "\n");
        Files.writeString(d.resolve("product"), name + "\n");
        for (int i = 0; i < interfaces.length; i++) {
            Path f = Files.createDirectories(d.resolve(port + ":1." + i));
            Files.writeString(f.resolve("bInterfaceClass"), String.format("%02x%n", interfaces[i][0]));
            Files.writeString(f.resolve("bInterfaceProtocol"), String.format("%02x%n", interfaces[i][1]));
        }
        return this;
    }

    public boolean plugged(String port) {
        return Files.isDirectory(devices.resolve(port));
    }

    public void unplug(String port) {
        try (var walk = Files.walk(devices.resolve(port))) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
