package org.polydesk.toolstack.xlcfg;

import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * Writes a {@link VmDefinition} as an xl.cfg(5) file that {@code xl create} accepts. Polydesk's own
 * fields (slot, colour, display size, autostart) have no xl key and are left out; the firmware is
 * written for HVM guests only, the only ones xl gives a choice of firmware.
 */
public final class XlConfigExporter {
    private final StringBuilder out = new StringBuilder();

    private XlConfigExporter() {
    }

    /**
     * @throws IllegalArgumentException if the definition has no name, or a value xl's device syntax
     *                                  cannot carry (such as a comma in a bridge name)
     */
    public static String export(VmDefinition def) {
        XlConfigExporter exporter = new XlConfigExporter();
        exporter.write(def);
        return exporter.out.toString();
    }

    private void write(VmDefinition def) {
        if (def.name() == null || def.name().isEmpty()) {
            throw new IllegalArgumentException("the VM has no name; xl requires one");
        }
        out.append("# xl.cfg(5) for the VM \"").append(asCommentText(def.name())).append("\", written by Polydesk.\n");
        out.append("# Polydesk's own settings (slot, colour, display size, autostart) have no xl equivalent.\n");
        if (def.os() != null) {
            out.append("# Made from Polydesk's ").append(def.os().label()).append(" profile.\n");
        }
        if (def.tpm() || def.secureBoot()) {
            // Xen 4.17 gives HVM guests neither; the lines say what the VM had, xl reads them as comments.
            out.append("# Not representable for xl:").append(def.tpm() ? " a TPM 2.0 (swtpm)" : "")
                    .append(def.tpm() && def.secureBoot() ? " and" : "").append(def.secureBoot() ? " UEFI Secure Boot" : "")
                    .append(".\n");
        }
        out.append('\n');
        atom("name", quote(def.name()));
        if (def.id() != null) {
            atom("uuid", quote(def.id().toString()));
        }
        atom("type", quote(def.type().wireName()));
        atom("memory", def.memoryMib().toString());
        atom("vcpus", def.vcpus().toString());
        if (def.type() == GuestType.HVM) {
            atom("bios", quote(def.firmware() == Firmware.UEFI ? "ovmf" : "seabios"));
            // Every Polydesk VM has QEMU's standard VGA, the source of its screen.
            atom("vga", quote("stdvga"));
            if (!def.hyperv().isEmpty()) {
                list("viridian", def.hyperv().stream().map(HypervFeature::wireName).toList());
            }
            if (!def.boot().isEmpty()) {
                StringBuilder order = new StringBuilder();
                def.boot().forEach(b -> order.append(b.xlLetter()));
                atom("boot", quote(order.toString()));
            }
            if (def.usbTablet()) {
                atom("usb", "1");
                list("usbdevice", List.of("tablet"));
            }
            if (def.disks().stream().anyMatch(d -> d.bus() == DiskBus.SATA)) {
                atom("hdtype", quote("ahci"));
            }
        }
        if (def.rtcLocalTime()) {
            atom("localtime", "1");
        }
        optionalString("kernel", def.kernel());
        optionalString("ramdisk", def.ramdisk());
        optionalString("cmdline", def.cmdline());
        optionalString("bootloader", def.bootloader());
        list("disk", diskEntries(def));
        list("vif", def.nics().stream().map(n -> vifEntry(n, def.type())).toList());
        List<String> pci = new ArrayList<>();
        if (def.gpu() != null) {
            // The import takes the first pci device of a gfx_passthru guest as its GPU.
            pci.add(def.gpu());
        }
        def.pciDevices().stream().filter(bdf -> !bdf.equals(def.gpu())).forEach(pci::add);
        list("pci", pci);
        if (def.gpu() != null) {
            atom("gfx_passthru", "1");
        }
    }

    private static List<String> diskEntries(VmDefinition def) {
        List<String> vdevs = VdevChooser.choose(def.disks(), def.type());
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < def.disks().size(); i++) {
            Disk disk = def.disks().get(i);
            String path = disk.path();
            if (disk.empty()) {
                // An empty CD drive: xl takes format=empty with an empty target.
                entries.add("format=empty,vdev=" + deviceValue("vdev", vdevs.get(i)) + ",devtype=cdrom,access=ro,target=");
                continue;
            }
            if (path == null || path.isEmpty() || path.endsWith(",")) {
                // xl's disk scanner drops one trailing comma from target=.
                throw new IllegalArgumentException("disk path '" + path + "' cannot be written for xl");
            }
            entries.add("format=" + deviceValue("disk format", disk.format())
                    + ",vdev=" + deviceValue("vdev", vdevs.get(i))
                    + (disk.cdrom() ? ",devtype=cdrom" : "")
                    + ",access=" + (disk.readOnly() ? "ro" : "rw")
                    // target= comes last: xl reads the rest of the entry as the path, commas included.
                    + ",target=" + path);
        }
        return entries;
    }

    private static String vifEntry(Nic nic, GuestType type) {
        List<String> options = new ArrayList<>();
        if (type == GuestType.HVM && nic.model() == NicModel.VIRTIO) {
            // Xen's paravirtual interface alone: what virtio is on QEMU.
            options.add("type=vif");
        } else if (type == GuestType.HVM && nic.model() != null) {
            options.add("model=" + nic.model().wireName());
        }
        if (nic.network() != null) {
            options.add("bridge=" + Network.BRIDGE_PREFIX + nic.network()); // the network's bridge
        } else if (nic.bridge() != null) {
            options.add("bridge=" + deviceValue("bridge", nic.bridge()));
        }
        if (nic.mac() != null) {
            options.add("mac=" + deviceValue("MAC address", nic.mac()));
        }
        return String.join(",", options);
    }

    /** A value inside a comma-separated device entry, which has no way to quote a comma. */
    private static String deviceValue(String what, String value) {
        if (value.contains(",") || value.isBlank()) {
            throw new IllegalArgumentException(what + " '" + value + "' cannot be written for xl");
        }
        return value;
    }

    private void optionalString(String key, String value) {
        if (value != null) {
            atom(key, quote(value));
        }
    }

    private void atom(String key, String written) {
        out.append(key).append(" = ").append(written).append('\n');
    }

    /** A list one entry a line, each followed by a comma, which xl allows after the last one too. */
    private void list(String key, List<String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        out.append(key).append(" = [\n");
        entries.forEach(e -> out.append("    ").append(quote(e)).append(",\n"));
        out.append("]\n");
    }

    /** A double-quoted xl string: backslash and quote escaped, and the line ends xl cannot hold raw. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> quoted.append("\\\\");
                case '"' -> quoted.append("\\\"");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /** The name in the header comment, where a line end would end the comment. */
    private static String asCommentText(String name) {
        return name.replaceAll("\\p{Cntrl}", " ");
    }
}
