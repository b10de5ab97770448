package org.polydesk.toolstack.usb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.polydesk.protocol.usb.UsbDevice;

/**
 * The host's USB devices as the kernel shows them in {@code /sys/bus/usb/devices}: one directory
 * per device named by its port ({@code 1-2.3}), one per interface ({@code 1-2.3:1.0}). Root hubs
 * ({@code usb1}) and hubs are left out: they are the machine's, not a device to give away.
 */
public final class SysfsUsb {
    private static final Pattern PORT = Pattern.compile("\\d+-\\d+(\\.\\d+)*");
    private static final Pattern INPUT = Pattern.compile("input\\d+");
    private static final int HUB = 0x09, HID = 0x03;
    private final Path devices;

    /** {@code sys}: where sysfs is mounted ({@code /sys}; a test's tree in tests). */
    public SysfsUsb(Path sys) {
        this.devices = sys.resolve("bus/usb/devices");
    }

    /** Every device but hubs, by port. Empty where the host has no USB. */
    public List<UsbDevice> list() throws IOException {
        if (!Files.isDirectory(devices)) {
            return List.of();
        }
        List<UsbDevice> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(devices)) {
            for (Path p : entries.toList()) {
                read(p.getFileName().toString()).ifPresent(found::add);
            }
        }
        found.sort(Comparator.comparing(UsbDevice::port, SysfsUsb::comparePorts));
        return found;
    }

    /** The device at {@code port}, if one is plugged there (a hub is none). */
    public Optional<UsbDevice> read(String port) {
        if (!PORT.matcher(port).matches()) {
            return Optional.empty();
        }
        Path dir = devices.resolve(port);
        Integer bus = number(dir, "busnum", 10);
        Integer address = number(dir, "devnum", 10);
        String vendor = attr(dir, "idVendor");
        String product = attr(dir, "idProduct");
        if (bus == null || address == null || vendor == null || product == null) {
            return Optional.empty(); // gone while read, or not yet filled in
        }
        List<int[]> interfaces = interfaces(dir, port);
        Integer deviceClass = number(dir, "bDeviceClass", 16);
        int cls = deviceClass != null && deviceClass != 0 ? deviceClass : interfaces.isEmpty() ? 0 : interfaces.get(0)[0];
        if (cls == HUB) {
            return Optional.empty();
        }
        // A boot keyboard or mouse is one before its driver has bound (and after a VM had it); any other
        // HID device is one when the kernel made an input device of it.
        boolean input = interfaces.stream().anyMatch(i -> i[0] == HID && (i[1] == 1 || i[1] == 2))
                || interfaces.stream().anyMatch(i -> i[0] == HID) && hasInputDevice(dir, port);
        return Optional.of(new UsbDevice(port, bus, address, vendor.toLowerCase() + ":" + product.toLowerCase(),
                attr(dir, "serial"), attr(dir, "manufacturer"), attr(dir, "product"), kind(cls, interfaces),
                speed(attr(dir, "speed")), input, null, null));
    }

    /** Each interface's class and protocol. */
    private static List<int[]> interfaces(Path dir, String port) {
        List<int[]> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(port + ":")).sorted().toList()) {
                Integer cls = number(p, "bInterfaceClass", 16);
                Integer protocol = number(p, "bInterfaceProtocol", 16);
                if (cls != null) {
                    found.add(new int[] {cls, protocol == null ? 0 : protocol});
                }
            }
        } catch (IOException e) {
            return found;
        }
        return found;
    }

    /** Whether the kernel made an input device (an evdev the input server reads) of one of its interfaces. */
    private static boolean hasInputDevice(Path dir, String port) {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path iface : entries.filter(p -> p.getFileName().toString().startsWith(port + ":")).toList()) {
                // <interface>/<hid device>/input/inputN (symbolic links are not followed: sysfs has loops)
                try (Stream<Path> walk = Files.walk(iface, 3)) {
                    if (walk.anyMatch(p -> INPUT.matcher(p.getFileName().toString()).matches()
                            && p.getParent() != null && p.getParent().getFileName().toString().equals("input"))) {
                        return true;
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
        return false;
    }

    private static String kind(int cls, List<int[]> interfaces) {
        if (cls == HID) {
            boolean keyboard = interfaces.stream().anyMatch(i -> i[0] == HID && i[1] == 1);
            boolean mouse = interfaces.stream().anyMatch(i -> i[0] == HID && i[1] == 2);
            return keyboard && mouse ? "keyboard and mouse" : keyboard ? "keyboard" : mouse ? "mouse" : "HID";
        }
        return switch (cls) {
            case 0x01 -> "audio";
            case 0x02, 0x0a -> "communications";
            case 0x06 -> "camera (still)";
            case 0x07 -> "printer";
            case 0x08 -> "storage";
            case 0x0b -> "smart card";
            case 0x0e -> "video";
            case 0xe0 -> "wireless";
            case 0xff -> "vendor-specific";
            default -> "other";
        };
    }

    private static String speed(String mbps) {
        return mbps == null ? null : mbps + " Mbit/s";
    }

    /** 1-2 before 1-10, 1-2 before 1-2.1. */
    static int comparePorts(String a, String b) {
        String[] x = a.split("[-.]"), y = b.split("[-.]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static String attr(Path dir, String name) {
        try {
            String v = Files.readString(dir.resolve(name)).strip();
            return v.isEmpty() ? null : v;
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    private static Integer number(Path dir, String name, int radix) {
        String v = attr(dir, name);
        try {
            return v == null ? null : Integer.parseInt(v, radix);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
