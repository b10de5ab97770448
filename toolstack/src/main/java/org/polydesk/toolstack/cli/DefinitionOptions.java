package org.polydesk.toolstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.polydesk.protocol.rpc.Json;
import picocli.CommandLine.Option;

/**
 * The options that set fields of a VM definition, shared by {@code vm create} and {@code vm edit}.
 * Only the options given become fields, so an edit changes nothing it was not told to.
 */
final class DefinitionOptions {
    @Option(names = "--name", description = "The VM's name, unique on this host.")
    String name;

    @Option(names = "--slot", description = "Switching slot 1–9 (Ctrl+Alt+F<slot>); default: the first free one.")
    Integer slot;

    @Option(names = "--colour", description = "Colour of the focus indicator, #rrggbb.")
    String colour;

    @Option(names = "--memory", paramLabel = "MIB", description = "Memory in MiB (default 1024).")
    Integer memoryMib;

    @Option(names = "--vcpus", description = "Virtual CPUs (default 1).")
    Integer vcpus;

    @Option(names = "--type", description = "hvm, pvh or pv (default hvm).")
    String type;

    @Option(names = "--firmware", description = "bios or uefi (default bios).")
    String firmware;

    @Option(names = "--disk", paramLabel = "PATH[,format=F][,cdrom][,ro][,vdev=V]",
            description = "A disk image or block device; repeat for more. Replaces all disks on edit.")
    List<String> disks;

    @Option(names = "--nic", paramLabel = "BRIDGE[,mac=M]", description = "A network interface; repeat for more.")
    List<String> nics;

    @Option(names = "--display", paramLabel = "WIDTHxHEIGHT", description = "Virtual screen size (default 1024x768).")
    String display;

    @Option(names = "--pci", paramLabel = "BDF", description = "A PCI device to pass through; repeat for more.")
    List<String> pci;

    @Option(names = "--gpu", paramLabel = "BDF|none", description = "The GPU this VM owns by passthrough, or none.")
    String gpu;

    @Option(names = "--autostart", arity = "0..1", description = "Start with polydeskd (true/false).")
    Boolean autostart;

    @Option(names = "--kernel", description = "Boot this kernel directly.")
    String kernel;

    @Option(names = "--ramdisk", description = "The initial ramdisk for --kernel.")
    String ramdisk;

    @Option(names = "--cmdline", description = "The kernel command line.")
    String cmdline;

    /** Writes the given options as definition fields into {@code target}. */
    void applyTo(ObjectNode target) {
        putIfSet(target, "name", name);
        if (slot != null) {
            target.put("slot", slot);
        }
        putIfSet(target, "colour", colour);
        if (memoryMib != null) {
            target.put("memoryMib", memoryMib);
        }
        if (vcpus != null) {
            target.put("vcpus", vcpus);
        }
        putIfSet(target, "type", type);
        putIfSet(target, "firmware", firmware);
        if (disks != null) {
            ArrayNode arr = target.putArray("disks");
            disks.forEach(d -> arr.add(parseDisk(d)));
        }
        if (nics != null) {
            ArrayNode arr = target.putArray("nics");
            nics.forEach(n -> arr.add(parseNic(n)));
        }
        if (display != null) {
            target.set("display", parseDisplay(display));
        }
        if (pci != null) {
            ArrayNode arr = target.putArray("pciDevices");
            pci.forEach(arr::add);
        }
        if (gpu != null) {
            if ("none".equalsIgnoreCase(gpu)) {
                target.putNull("gpu");
            } else {
                target.put("gpu", gpu);
            }
        }
        if (autostart != null) {
            target.put("autostart", autostart);
        }
        putIfSet(target, "kernel", kernel);
        putIfSet(target, "ramdisk", ramdisk);
        putIfSet(target, "cmdline", cmdline);
    }

    private static void putIfSet(ObjectNode target, String field, String value) {
        if (value != null) {
            target.put(field, value);
        }
    }

    static ObjectNode parseDisk(String spec) {
        String[] parts = spec.split(",");
        ObjectNode disk = Json.mapper().createObjectNode();
        disk.put("path", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("cdrom")) {
                disk.put("cdrom", true);
            } else if (p.equals("ro")) {
                disk.put("readOnly", true);
            } else if (p.startsWith("format=")) {
                disk.put("format", p.substring(7));
            } else if (p.startsWith("vdev=")) {
                disk.put("vdev", p.substring(5));
            } else {
                throw new IllegalArgumentException("--disk " + spec + ": unknown part '" + p
                        + "' (expected format=F, cdrom, ro or vdev=V)");
            }
        }
        return disk;
    }

    static ObjectNode parseNic(String spec) {
        String[] parts = spec.split(",");
        ObjectNode nic = Json.mapper().createObjectNode();
        nic.put("bridge", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("mac=")) {
                nic.put("mac", parts[i].substring(4));
            } else {
                throw new IllegalArgumentException("--nic " + spec + ": unknown part '" + parts[i] + "' (expected mac=M)");
            }
        }
        return nic;
    }

    static ObjectNode parseDisplay(String spec) {
        String[] wh = spec.toLowerCase().split("x");
        try {
            if (wh.length == 2) {
                ObjectNode d = Json.mapper().createObjectNode();
                d.put("width", Integer.parseInt(wh[0]));
                d.put("height", Integer.parseInt(wh[1]));
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--display " + spec + ": expected WIDTHxHEIGHT, like 1920x1080");
    }
}
