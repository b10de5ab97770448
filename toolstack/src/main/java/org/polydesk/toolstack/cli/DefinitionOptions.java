package org.polydesk.toolstack.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.CrashAction;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Display;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.VmDefinition;
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
            description = "A disk image or block device; repeat for more. Replaces all disks on edit."
                    + " ',cdrom' (no path) is an empty CD drive, for vm cd-insert.")
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

    @Option(names = "--on-crash", paramLabel = "restart|stop",
            description = "What a crash does: restart (default; at most 3 times within 60 s) or stop.")
    String onCrash;

    /** Sets the given options on {@code target}; what was not given stays as it is. */
    VmDefinition.Builder applyTo(VmDefinition.Builder target) {
        if (name != null) {
            target.name(name);
        }
        if (slot != null) {
            target.slot(slot);
        }
        if (colour != null) {
            target.colour(colour);
        }
        if (memoryMib != null) {
            target.memoryMib(memoryMib);
        }
        if (vcpus != null) {
            target.vcpus(vcpus);
        }
        if (type != null) {
            target.type(wireValue("--type", type, GuestType.class));
        }
        if (firmware != null) {
            target.firmware(wireValue("--firmware", firmware, Firmware.class));
        }
        if (disks != null) {
            target.disks(disks.stream().map(DefinitionOptions::parseDisk).toList());
        }
        if (nics != null) {
            target.nics(nics.stream().map(DefinitionOptions::parseNic).toList());
        }
        if (display != null) {
            target.display(parseDisplay(display));
        }
        if (pci != null) {
            target.pciDevices(List.copyOf(pci));
        }
        if (gpu != null) {
            target.gpu("none".equalsIgnoreCase(gpu) ? null : gpu);
        }
        if (autostart != null) {
            target.autostart(autostart);
        }
        if (kernel != null) {
            target.kernel(kernel);
        }
        if (ramdisk != null) {
            target.ramdisk(ramdisk);
        }
        if (cmdline != null) {
            target.cmdline(cmdline);
        }
        if (onCrash != null) {
            target.onCrash(wireValue("--on-crash", onCrash, CrashAction.class));
        }
        return target;
    }

    /** Whether any option was given. */
    boolean any() {
        return name != null || slot != null || colour != null || memoryMib != null || vcpus != null || type != null
                || firmware != null || disks != null || nics != null || display != null || pci != null || gpu != null
                || autostart != null || kernel != null || ramdisk != null || cmdline != null || onCrash != null;
    }

    private static <E extends Enum<E>> E wireValue(String option, String value, Class<E> type) {
        try {
            return Json.mapper().convertValue(value.toLowerCase(Locale.ROOT), type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + value + ": use one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> Json.mapper().convertValue(c, String.class)).collect(Collectors.joining(", ")));
        }
    }

    static Disk parseDisk(String spec) {
        String[] parts = spec.split(",");
        String format = null;
        String vdev = null;
        boolean cdrom = false;
        boolean readOnly = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("cdrom")) {
                cdrom = true;
            } else if (p.equals("ro")) {
                readOnly = true;
            } else if (p.startsWith("format=")) {
                format = p.substring(7);
            } else if (p.startsWith("vdev=")) {
                vdev = p.substring(5);
            } else {
                throw new IllegalArgumentException("--disk " + spec + ": unknown part '" + p
                        + "' (expected format=F, cdrom, ro or vdev=V)");
            }
        }
        return new Disk(parts[0].isEmpty() ? null : parts[0], format, cdrom, readOnly, vdev);
    }

    static Nic parseNic(String spec) {
        String[] parts = spec.split(",");
        String mac = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("mac=")) {
                mac = parts[i].substring(4);
            } else {
                throw new IllegalArgumentException("--nic " + spec + ": unknown part '" + parts[i] + "' (expected mac=M)");
            }
        }
        return new Nic(parts[0], mac);
    }

    static Display parseDisplay(String spec) {
        String[] wh = spec.toLowerCase(Locale.ROOT).split("x");
        try {
            if (wh.length == 2) {
                return new Display(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--display " + spec + ": expected WIDTHxHEIGHT, like 1920x1080");
    }
}
