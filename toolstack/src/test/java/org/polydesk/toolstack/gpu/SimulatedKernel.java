package org.polydesk.toolstack.gpu;

import org.polydesk.testsupport.SysfsTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The test double of {@link Sysfs}: reads go to a {@link SysfsTree}, and each write is recorded (as
 * "path &lt;- value", relative to the tree) and then does to the tree what the kernel would: bind and
 * unbind move the driver links, pciback binds only devices in its slots or with a driver_override
 * naming it, vfio-pci only those whose driver_override names it, a busy device refuses a second
 * driver. A write to an attribute that is not there fails as it would on the host; writes listed in
 * {@link #failOn} fail with EIO. Pauses are recorded, not waited.
 */
public final class SimulatedKernel extends Sysfs {
    public final SysfsTree tree;
    public final List<String> log = new ArrayList<>();
    final Set<String> failOn = new HashSet<>();
    /** The driver drivers_probe finds for a device without driver_override. */
    final Map<String, String> probes = new HashMap<>();

    public SimulatedKernel(SysfsTree tree) {
        super(tree.root);
        this.tree = tree;
    }

    public List<String> takeLog() {
        List<String> out = List.copyOf(log);
        log.clear();
        return out;
    }

    @Override
    public void write(Path file, String value) throws IOException {
        String rel = tree.root.relativize(file).toString();
        log.add(rel + " <- " + value.strip());
        if (!Files.exists(file)) {
            throw new IOException(file + ": No such file or directory");
        }
        if (failOn.contains(rel + " <- " + value.strip())) {
            throw new IOException("Input/output error");
        }
        String v = value.strip();
        String[] parts = rel.split("/");
        if (rel.startsWith("bus/pci/drivers/") && parts.length == 5) {
            pciDriverFile(parts[3], parts[4], v);
        } else if (rel.equals("bus/pci/drivers_probe")) {
            String override = tree.read("bus/pci/devices/" + v + "/driver_override");
            String driver = override.equals("(null)") ? probes.get(v) : override;
            if (driver != null && tree.driverOf(v) == null) {
                tree.bind(v, driver);
            }
        } else if (rel.startsWith("bus/pci/devices/") && rel.endsWith("/driver_override")) {
            Files.writeString(file, (v.isEmpty() ? "(null)" : v) + "\n");
        } else if (rel.startsWith("bus/platform/drivers/")) {
            Path dev = tree.root.resolve("devices/platform").resolve(v);
            Path link = dev.resolve("driver");
            if (parts[4].equals("unbind")) {
                Files.delete(link);
            } else {
                Files.createSymbolicLink(link, tree.root.resolve("bus/platform/drivers").resolve(parts[3]));
            }
        } else {
            Files.writeString(file, value);
        }
    }

    private void pciDriverFile(String driver, String attribute, String address) throws IOException {
        switch (attribute) {
            case "unbind" -> {
                if (!driver.equals(tree.driverOf(address))) {
                    throw new IOException("No such device");
                }
                tree.unbind(address);
            }
            case "bind" -> {
                if (tree.driverOf(address) != null) {
                    throw new IOException("Device or resource busy");
                }
                String override = tree.read("bus/pci/devices/" + address + "/driver_override");
                boolean accepts = switch (driver) {
                    case "pciback" -> slots().contains(address) || override.equals(driver);
                    case "vfio-pci" -> override.equals(driver);
                    default -> override.equals("(null)") || override.equals(driver);
                };
                if (!accepts) {
                    throw new IOException("No such device");
                }
                tree.bind(address, driver);
            }
            case "new_slot" -> {
                List<String> s = new ArrayList<>(slots());
                s.add(address);
                Files.writeString(tree.root.resolve("bus/pci/drivers/pciback/slots"), String.join("\n", s) + "\n");
            }
            case "remove_slot" -> {
                List<String> s = new ArrayList<>(slots());
                s.remove(address);
                Files.writeString(tree.root.resolve("bus/pci/drivers/pciback/slots"),
                        s.isEmpty() ? "" : String.join("\n", s) + "\n");
            }
            default -> throw new IOException("the simulated kernel does not know " + attribute);
        }
    }

    List<String> slots() throws IOException {
        String s = tree.read("bus/pci/drivers/pciback/slots");
        return s.isEmpty() ? List.of() : s.lines().toList();
    }

    @Override
    public void writeConfig(String address, int offset, byte[] bytes) throws IOException {
        log.add("config " + address + " @0x" + Integer.toHexString(offset) + " <- " + HexFormat.of().formatHex(bytes));
        super.writeConfig(address, offset, bytes);
    }

    @Override
    public void pause(Duration d) {
        log.add("pause " + d.toMillis() + " ms");
    }
}
