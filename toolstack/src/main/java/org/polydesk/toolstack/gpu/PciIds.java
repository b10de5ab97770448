package org.polydesk.toolstack.gpu;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Vendor and device names from the pci.ids database (Debian package {@code pci.ids}); without it,
 * names fall back to the hexadecimal ids, so a missing file costs readability, never a failure.
 */
public final class PciIds {
    public static final Path DEFAULT_FILE = Path.of("/usr/share/misc/pci.ids");
    private final Map<Integer, String> vendors = new HashMap<>();
    private final Map<Long, String> devices = new HashMap<>();

    private PciIds() {
    }

    /** Reads {@code file}; an absent or unreadable file gives an empty database. */
    public static PciIds load(Path file) {
        PciIds ids = new PciIds();
        if (!Files.isReadable(file)) {
            return ids;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int vendor = -1;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("C ")) {
                    break; // the device classes follow the vendors; we need none of them
                }
                if (line.isEmpty() || line.startsWith("#") || line.startsWith("\t\t")) {
                    continue;
                }
                if (line.startsWith("\t")) {
                    if (vendor >= 0 && line.length() > 7 && isHex4(line.substring(1, 5))) {
                        ids.devices.put(((long) vendor << 16) | Integer.parseInt(line.substring(1, 5), 16),
                                line.substring(5).strip());
                    }
                } else if (line.length() > 6 && isHex4(line.substring(0, 4))) {
                    vendor = Integer.parseInt(line.substring(0, 4), 16);
                    ids.vendors.put(vendor, line.substring(4).strip());
                } else {
                    vendor = -1;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new PciIds();
        }
        return ids;
    }

    private static boolean isHex4(String s) {
        return s.matches("[0-9a-fA-F]{4}");
    }

    public String vendor(int vendorId) {
        return vendors.getOrDefault(vendorId, String.format("vendor %04x", vendorId));
    }

    public String device(int vendorId, int deviceId) {
        return devices.getOrDefault(((long) vendorId << 16) | deviceId, String.format("device %04x", deviceId));
    }
}
