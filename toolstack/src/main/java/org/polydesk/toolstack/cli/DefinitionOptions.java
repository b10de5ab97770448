package org.polydesk.toolstack.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.CrashAction;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.OsProfile;
import org.polydesk.protocol.vm.Display;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicPolicy;
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

    @Option(names = "--os", paramLabel = "PROFILE", description = {
            "win11, win10, linux, bsd or other: fills the settings that OS wants (firmware, Secure Boot, TPM,",
            "Hyper-V, boot order, disk bus, NIC model, clock, tablet, memory, vCPUs); the other options given win."})
    String os;

    @Option(names = "--hyperv", paramLabel = "GROUP,...|none",
            description = "Hyper-V enlightenment groups, xl's viridian names (base,freq,time_ref_count,...), or none.")
    String hyperv;

    @Option(names = "--boot", paramLabel = "DEVICE,...|none", description = "Boot order of cdrom, disk and network, or none.")
    String boot;

    @Option(names = "--rtc-localtime", arity = "0..1", description = "Keep the clock in local time, as Windows wants (true/false).")
    Boolean rtcLocalTime;

    @Option(names = "--usb-tablet", arity = "0..1", description = "A USB tablet: an absolute pointer (true/false).")
    Boolean usbTablet;

    @Option(names = "--secure-boot", arity = "0..1", description = "UEFI Secure Boot with Microsoft's keys (true/false).")
    Boolean secureBoot;

    @Option(names = "--tpm", arity = "0..1", description = "A TPM 2.0 (swtpm; QEMU backend only) (true/false).")
    Boolean tpm;

    @Option(names = "--disk", paramLabel = "PATH[,format=F][,cdrom][,ro][,vdev=V][,bus=sata|virtio]",
            description = "A disk image or block device; repeat for more. Replaces all disks on edit."
                    + " ',cdrom' (no path) is an empty CD drive, for vm cd-insert.")
    List<String> disks;

    @Option(names = "--nic", paramLabel = "NETWORK|bridge=BRIDGE[,mac=M][,model=e1000|virtio|rtl8139][,policy=P][,allow=A]...[,offline]",
            description = "A network interface on one of polydeskd's networks (network list), or on a host bridge;"
                    + " policy open (default), internet-only, offline, or allowed: only what its allow=HOST[/LEN][:PORT[/tcp|/udp]]"
                    + " parts name (repeat allow=); offline starts it with its link down. Repeat --nic for more.")
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

    @Option(names = "--sound", paramLabel = "hda|ac97|none", description = "Its sound card: hda (Intel HD Audio,"
            + " the default), ac97 (older guests) or none; it plays into dom0's sound server.")
    String sound;

    @Option(names = "--monitor", paramLabel = "NAME|any", description = "The monitor of dom0 it is shown on when it"
            + " starts, by its connector's name as `polyctl host check` lists it (HDMI-A-1); any (the default): the"
            + " one without a VM, else where it is switched to.")
    String monitor;

    /**
     * Sets the given options on {@code target}; what was not given stays as it is. With --os the
     * profile fills its settings first and every other option given is then set over them (a disk or
     * NIC keeps the bus or model its own spec names).
     */
    VmDefinition.Builder applyTo(VmDefinition.Builder target) {
        if (os == null) {
            return applyFields(target);
        }
        OsProfile profile = wireValue("--os", os, OsProfile.class);
        VmDefinition profiled = profile.applyTo(applyFields(target).build());
        VmDefinition.Builder out = applyFields(profiled.toBuilder());
        if (disks != null) {
            List<Disk> given = disks.stream().map(DefinitionOptions::parseDisk).toList();
            out.disks(java.util.stream.IntStream.range(0, given.size())
                    .mapToObj(i -> given.get(i).bus() != null ? given.get(i) : profiled.disks().get(i)).toList());
        }
        if (nics != null) {
            List<Nic> given = nics.stream().map(DefinitionOptions::parseNic).toList();
            out.nics(java.util.stream.IntStream.range(0, given.size())
                    .mapToObj(i -> given.get(i).model() != null ? given.get(i) : profiled.nics().get(i)).toList());
        }
        return out;
    }

    private VmDefinition.Builder applyFields(VmDefinition.Builder target) {
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
        if (hyperv != null) {
            target.hyperv(wireList("--hyperv", hyperv, HypervFeature.class));
        }
        if (boot != null) {
            target.boot(wireList("--boot", boot, BootDevice.class));
        }
        if (rtcLocalTime != null) {
            target.rtcLocalTime(rtcLocalTime);
        }
        if (usbTablet != null) {
            target.usbTablet(usbTablet);
        }
        if (secureBoot != null) {
            target.secureBoot(secureBoot);
        }
        if (tpm != null) {
            target.tpm(tpm);
        }
        if (onCrash != null) {
            target.onCrash(wireValue("--on-crash", onCrash, CrashAction.class));
        }
        if (sound != null) {
            target.sound(wireValue("--sound", sound, org.polydesk.protocol.vm.SoundCard.class));
        }
        if (monitor != null) {
            target.monitor(monitor.equals("any") ? null : monitor);
        }
        return target;
    }

    /** Whether any option was given. */
    boolean any() {
        return name != null || slot != null || colour != null || memoryMib != null || vcpus != null || type != null
                || firmware != null || disks != null || nics != null || display != null || pci != null || gpu != null
                || autostart != null || kernel != null || ramdisk != null || cmdline != null || os != null
                || hyperv != null || boot != null || rtcLocalTime != null || usbTablet != null || secureBoot != null
                || tpm != null || onCrash != null || sound != null || monitor != null;
    }

    private static <E extends Enum<E>> E wireValue(String option, String value, Class<E> type) {
        try {
            return Json.mapper().convertValue(value.toLowerCase(Locale.ROOT), type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + value + ": use one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> Json.mapper().convertValue(c, String.class)).collect(Collectors.joining(", ")));
        }
    }

    private static <E extends Enum<E>> List<E> wireList(String option, String value, Class<E> type) {
        if (value.equalsIgnoreCase("none") || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(v -> wireValue(option, v.strip(), type)).toList();
    }

    static Disk parseDisk(String spec) {
        String[] parts = spec.split(",");
        String format = null;
        String vdev = null;
        boolean cdrom = false;
        boolean readOnly = false;
        DiskBus bus = null;
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
            } else if (p.startsWith("bus=")) {
                bus = wireValue("--disk " + spec + ": bus", p.substring(4), DiskBus.class);
            } else {
                throw new IllegalArgumentException("--disk " + spec + ": unknown part '" + p
                        + "' (expected format=F, cdrom, ro, vdev=V or bus=sata|virtio)");
            }
        }
        return new Disk(parts[0].isEmpty() ? null : parts[0], format, cdrom, readOnly, vdev, bus);
    }

    /**
     * {@code NETWORK} or {@code bridge=BRIDGE}, then {@code mac=}, {@code model=}, {@code policy=} and
     * {@code offline} in any order.
     */
    static Nic parseNic(String spec) {
        String[] parts = spec.split(",");
        String network = parts[0];
        String bridge = null;
        if (parts[0].startsWith("bridge=")) {
            network = null;
            bridge = parts[0].substring("bridge=".length());
        }
        String mac = null;
        NicModel model = null;
        NicPolicy policy = null;
        Boolean online = null;
        List<String> allowed = new java.util.ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("mac=")) {
                mac = parts[i].substring(4);
            } else if (parts[i].startsWith("model=")) {
                model = wireValue("--nic " + spec + ": model", parts[i].substring(6), NicModel.class);
            } else if (parts[i].startsWith("policy=")) {
                policy = NicPolicy.fromWireName(parts[i].substring(7));
                if (policy == null) {
                    throw new IllegalArgumentException("--nic " + spec + ": policy must be open, internet-only, offline or allowed");
                }
            } else if (parts[i].startsWith("allow=")) {
                allowed.add(parts[i].substring(6));
            } else if (parts[i].equals("offline")) {
                online = false;
            } else {
                throw new IllegalArgumentException("--nic " + spec + ": unknown part '" + parts[i]
                        + "' (expected mac=M, model=e1000|virtio|rtl8139, policy=open|internet-only|offline|allowed,"
                        + " allow=HOST[/LEN][:PORT[/tcp|/udp]] or offline)");
            }
        }
        return new Nic(bridge, mac, model, network, policy, online, allowed);
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
