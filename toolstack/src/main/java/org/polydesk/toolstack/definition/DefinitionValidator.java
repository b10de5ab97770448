package org.polydesk.toolstack.definition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.Display;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicAllowed;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.vm.PciAddress;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.NicNames;

/**
 * The rules a VM definition must keep, alone and beside the other VMs of the host.
 * Every broken rule is reported, not only the first, so a person can fix them in one go.
 */
public final class DefinitionValidator {
    public static final int MIN_MEMORY_MIB = 128;
    public static final int MAX_MEMORY_MIB = 1024 * 1024;
    public static final int MAX_VCPUS = 128;
    public static final int MIN_SLOT = 1;
    public static final int MAX_SLOT = 9;
    public static final int MAX_NAME_LENGTH = 64;
    private static final Set<String> DISK_FORMATS = Set.of("raw", "qcow2", "vhd");
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");
    /** A NIC's allowed list is a rule each: kept short enough to read and to reload at once. */
    static final int MAX_ALLOWED = 64;
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final Pattern BRIDGE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern PCI_BDF = Pattern.compile("([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]");
    private static final Pattern VDEV = Pattern.compile("(hd|sd|xvd|vd)[a-z]{1,2}");

    private DefinitionValidator() {
    }

    /** Checks {@code def} against the rules and against {@code others}, the host's other VMs. */
    public static void validate(VmDefinition def, Collection<VmDefinition> others) throws InvalidDefinitionException {
        List<Problem> problems = new ArrayList<>();
        checkAlone(def, problems);
        checkAgainstOthers(def, others, problems);
        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException(problems);
        }
    }

    private static void checkAlone(VmDefinition def, List<Problem> problems) {
        if (def.id() == null) {
            problems.add(new Problem(VmDefinition.ID, "the VM has no id"));
        }
        String name = def.name();
        if (name == null || name.isBlank()) {
            problems.add(new Problem(VmDefinition.NAME, "the VM needs a name"));
        } else if (name.length() > MAX_NAME_LENGTH) {
            problems.add(new Problem(VmDefinition.NAME, "name is " + name.length() + " characters long; at most " + MAX_NAME_LENGTH + " are allowed"));
        } else if (name.chars().anyMatch(Character::isISOControl) || !name.equals(name.strip())) {
            problems.add(new Problem(VmDefinition.NAME, "name '" + name.strip() + "' must not contain control characters or start or end with spaces"));
        }
        if (def.slot() == null) {
            problems.add(new Problem(VmDefinition.SLOT, "the VM needs a slot from " + MIN_SLOT + " to " + MAX_SLOT));
        } else if (def.slot() < MIN_SLOT || def.slot() > MAX_SLOT) {
            problems.add(new Problem(VmDefinition.SLOT, "slot " + def.slot() + " is outside " + MIN_SLOT + "–" + MAX_SLOT
                    + " (slot 0 belongs to the control UI)"));
        }
        if (!COLOUR.matcher(def.colour()).matches()) {
            problems.add(new Problem(VmDefinition.COLOUR, "colour '" + def.colour() + "' is not of the form #rrggbb"));
        }
        if (def.memoryMib() < MIN_MEMORY_MIB) {
            problems.add(new Problem(VmDefinition.MEMORY_MIB, "memory " + def.memoryMib() + " MiB is below the " + MIN_MEMORY_MIB + " MiB minimum"));
        } else if (def.memoryMib() > MAX_MEMORY_MIB) {
            problems.add(new Problem(VmDefinition.MEMORY_MIB, "memory " + def.memoryMib() + " MiB is above the " + MAX_MEMORY_MIB + " MiB maximum"));
        }
        if (def.vcpus() < 1 || def.vcpus() > MAX_VCPUS) {
            problems.add(new Problem(VmDefinition.VCPUS, "vcpus " + def.vcpus() + " is outside 1–" + MAX_VCPUS));
        }
        checkBoot(def, problems);
        checkDisks(def.disks(), problems);
        checkNics(def.nics(), problems);
        checkDisplay(def.display(), problems);
        if (def.monitor() != null && org.polydesk.protocol.focus.Head.nameProblem(def.monitor()) != null) {
            problems.add(new Problem(VmDefinition.MONITOR, "monitor '" + def.monitor() + "': "
                    + org.polydesk.protocol.focus.Head.nameProblem(def.monitor())));
        }
        checkPci(def, problems);
        checkGuestDevices(def, problems);
    }

    /** The ports of an HVM guest's one AHCI controller (q35's ICH9; Xen's device model alike). */
    static final int SATA_PORTS = 6;

    /** What an HVM guest's emulated machine offers: Secure Boot, TPM, Hyper-V, boot order, buses, models. */
    private static void checkGuestDevices(VmDefinition def, List<Problem> problems) {
        boolean hvm = def.type() == GuestType.HVM;
        String notHvm = "; the type is " + def.type().wireName() + ", and only hvm guests have emulated devices";
        if (def.secureBoot() && def.firmware() != Firmware.UEFI) {
            problems.add(new Problem(VmDefinition.SECURE_BOOT, "Secure Boot needs firmware uefi, but the firmware is "
                    + def.firmware().wireName()));
        }
        if (def.tpm() && !hvm) {
            problems.add(new Problem(VmDefinition.TPM, "a TPM needs an hvm guest" + notHvm));
        }
        if (def.usbTablet() && !hvm) {
            problems.add(new Problem(VmDefinition.USB_TABLET, "a USB tablet needs an hvm guest" + notHvm));
        }
        if (!def.boot().isEmpty() && !hvm) {
            problems.add(new Problem(VmDefinition.BOOT, "a boot order needs an hvm guest; a " + def.type().wireName()
                    + " guest boots its kernel or bootloader"));
        }
        if (def.boot().stream().distinct().count() != def.boot().size()) {
            problems.add(new Problem(VmDefinition.BOOT, "boot order " + def.boot().stream().map(BootDevice::wireName).toList()
                    + " names a device twice"));
        }
        if (def.boot().contains(BootDevice.NETWORK) && def.nics().isEmpty()) {
            problems.add(new Problem(VmDefinition.BOOT, "boot order names network, but the VM has no network interface"));
        }
        List<HypervFeature> hv = def.hyperv();
        if (!hv.isEmpty() && !hvm) {
            problems.add(new Problem(VmDefinition.HYPERV, "Hyper-V enlightenments need an hvm guest" + notHvm));
        }
        if (hv.stream().distinct().count() != hv.size()) {
            problems.add(new Problem(VmDefinition.HYPERV, "a Hyper-V group is listed twice"));
        }
        if (!hv.isEmpty() && !hv.contains(HypervFeature.BASE)) {
            problems.add(new Problem(VmDefinition.HYPERV, "Hyper-V groups " + wireNames(hv)
                    + " need the base group (Xen refuses them without it)"));
        }
        if (hv.contains(HypervFeature.STIMER) && !(hv.contains(HypervFeature.SYNIC) && hv.contains(HypervFeature.TIME_REF_COUNT))) {
            problems.add(new Problem(VmDefinition.HYPERV, "Hyper-V group stimer needs synic and time_ref_count"
                    + " (the synthetic timers signal through the SynIC and count the reference time)"));
        }
        for (int i = 0; i < def.disks().size(); i++) {
            Disk d = def.disks().get(i);
            String field = VmDefinition.DISKS + "[" + i + "]";
            if (d.bus() == DiskBus.SATA && !hvm) {
                problems.add(new Problem(field, "disk " + (i + 1) + " is on the sata bus" + notHvm + "; use virtio"));
            }
            if (d.bus() == DiskBus.VIRTIO && d.cdrom()) {
                problems.add(new Problem(field, "disk " + (i + 1) + " is a CD-ROM, which is always on the sata bus, not virtio"));
            }
        }
        long onSata = def.disks().stream().filter(d -> d.cdrom() || d.bus() == null || d.bus() == DiskBus.SATA).count();
        if (hvm && onSata > SATA_PORTS) {
            problems.add(new Problem(VmDefinition.DISKS, onSata + " disks (CD-ROMs included) are on the sata bus, whose"
                    + " controller has " + SATA_PORTS + " ports; put the others on virtio"));
        }
        for (int i = 0; i < def.nics().size(); i++) {
            NicModel model = def.nics().get(i).model();
            if (model != null && model != NicModel.VIRTIO && !hvm) {
                problems.add(new Problem(VmDefinition.NICS + "[" + i + "]", "network interface " + (i + 1) + " is an emulated "
                        + model.wireName() + notHvm + "; use virtio (the PV interface)"));
            }
        }
    }

    private static List<String> wireNames(List<HypervFeature> features) {
        return features.stream().map(HypervFeature::wireName).toList();
    }

    private static void checkBoot(VmDefinition def, List<Problem> problems) {
        if (def.firmware() == Firmware.UEFI && def.type() != GuestType.HVM) {
            problems.add(new Problem(VmDefinition.FIRMWARE, "firmware uefi needs type hvm, but the type is " + def.type().wireName()));
        }
        if (def.type() == GuestType.PV && def.kernel() == null && def.bootloader() == null) {
            problems.add(new Problem(VmDefinition.KERNEL, "a pv guest needs a kernel or a bootloader"));
        }
        if (def.kernel() != null && def.bootloader() != null) {
            problems.add(new Problem(VmDefinition.BOOTLOADER, "give a kernel or a bootloader, not both"));
        }
        if (def.ramdisk() != null && def.kernel() == null) {
            problems.add(new Problem(VmDefinition.RAMDISK, "a ramdisk needs a kernel"));
        }
        if (def.cmdline() != null && def.kernel() == null && def.bootloader() == null) {
            problems.add(new Problem(VmDefinition.CMDLINE, "a kernel command line needs a kernel or a bootloader"));
        }
        checkAbsolute(VmDefinition.KERNEL, "kernel", def.kernel(), problems);
        checkAbsolute(VmDefinition.RAMDISK, "ramdisk", def.ramdisk(), problems);
    }

    private static void checkDisks(List<Disk> disks, List<Problem> problems) {
        Set<String> vdevs = new HashSet<>();
        for (int i = 0; i < disks.size(); i++) {
            Disk d = disks.get(i);
            String which = "disk " + (i + 1);
            String field = VmDefinition.DISKS + "[" + i + "]";
            if (d.path() == null || d.path().isBlank()) {
                if (!d.cdrom()) {
                    problems.add(new Problem(field, which + " has no path (only a CD drive may be empty)"));
                }
            } else {
                checkAbsolute(field, which, d.path(), problems);
            }
            if (!DISK_FORMATS.contains(d.format())) {
                problems.add(new Problem(field, which + " has format '" + d.format() + "'; use one of " + String.join(", ", sorted(DISK_FORMATS))));
            }
            if (d.vdev() != null) {
                if (!VDEV.matcher(d.vdev()).matches()) {
                    problems.add(new Problem(field, which + " has device name '" + d.vdev() + "'; expected a name like hda, xvda or sdb"));
                } else if (!vdevs.add(d.vdev())) {
                    problems.add(new Problem(field, which + " uses device name '" + d.vdev() + "' a second time"));
                }
            }
        }
    }

    private static void checkNics(List<Nic> nics, List<Problem> problems) {
        Set<String> macs = new HashSet<>();
        for (int i = 0; i < nics.size(); i++) {
            Nic n = nics.get(i);
            String which = "network interface " + (i + 1);
            String field = VmDefinition.NICS + "[" + i + "]";
            if (n.network() != null && n.bridge() != null) {
                problems.add(new Problem(field, which + " names both network '" + n.network() + "' and bridge '"
                        + n.bridge() + "'; a NIC is on one of polydeskd's networks or on a host bridge"));
            } else if (n.network() != null) {
                if (!org.polydesk.protocol.network.Network.NAME_FORM.matcher(n.network()).matches()) {
                    problems.add(new Problem(field, which + " names network '" + n.network() + "'; a network's name is 1–12"
                            + " of a–z, 0–9 and '-', starting with a letter"));
                }
                if (i >= NicNames.MAX_NICS) {
                    problems.add(new Problem(field, which + ": a VM has at most " + NicNames.MAX_NICS
                            + " network interfaces on polydeskd's networks"));
                }
            } else if (n.bridge() == null || !BRIDGE.matcher(n.bridge()).matches()) {
                problems.add(new Problem(field, which + " needs a network (like default) or a host bridge name of 1–15"
                        + " letters, digits, '.', '_' or '-'"));
            }
            checkAllowed(n, which, field, problems);
            if (n.mac() != null) {
                if (!MAC.matcher(n.mac()).matches()) {
                    problems.add(new Problem(field, which + " has MAC '" + n.mac() + "'; expected six hex pairs like 00:16:3e:12:34:56"));
                } else if ((Integer.parseInt(n.mac().substring(0, 2), 16) & 1) != 0) {
                    problems.add(new Problem(field, which + " has multicast MAC '" + n.mac() + "'; a NIC needs a unicast address"));
                } else if (!macs.add(n.mac().toLowerCase())) {
                    problems.add(new Problem(field, which + " uses MAC '" + n.mac() + "' a second time"));
                }
            }
        }
    }

    /** The allowed list goes with policy allowed, on one of polydeskd's networks, and each entry reads. */
    private static void checkAllowed(Nic n, String which, String field, List<Problem> problems) {
        String list = field + "." + Nic.ALLOWED;
        if (n.policyOrDefault() == NicPolicy.ALLOWED) {
            if (n.network() == null) {
                problems.add(new Problem(field, which + " has policy allowed, which polydeskd enforces only on its own"
                        + " networks, not on host bridge '" + n.bridge() + "'"));
            }
            if (n.allowed() == null) {
                problems.add(new Problem(list, which + " has policy allowed but nothing allowed; list what it may reach,"
                        + " like 192.168.1.10:443/tcp"));
            }
        } else if (n.allowed() != null) {
            problems.add(new Problem(list, which + " has an allowed list, which only policy allowed uses (its policy is "
                    + n.policyOrDefault().wireName() + ")"));
        }
        List<String> allowed = n.allowedOrEmpty();
        if (allowed.size() > MAX_ALLOWED) {
            problems.add(new Problem(list, which + " allows " + allowed.size() + " destinations; at most " + MAX_ALLOWED));
            return;
        }
        for (int j = 0; j < allowed.size(); j++) {
            try {
                NicAllowed.parse(allowed.get(j));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(list + "[" + j + "]", which + ": " + e.getMessage()));
            }
        }
    }

    private static void checkDisplay(Display d, List<Problem> problems) {
        if (d.width() < 640 || d.width() > 7680 || d.height() < 480 || d.height() > 4320) {
            problems.add(new Problem(VmDefinition.DISPLAY, "display " + d.width() + "x" + d.height() + " is outside 640x480–7680x4320"));
        }
    }

    private static void checkPci(VmDefinition def, List<Problem> problems) {
        Set<String> seen = new HashSet<>();
        for (String bdf : def.pciDevices()) {
            if (bdf == null || !PCI_BDF.matcher(bdf).matches()) {
                problems.add(new Problem(VmDefinition.PCI_DEVICES, "PCI device '" + bdf + "' is not an address like 0000:01:00.0"));
            } else if (!seen.add(PciAddress.canonical(bdf))) {
                problems.add(new Problem(VmDefinition.PCI_DEVICES, "PCI device " + bdf + " is listed twice"));
            }
        }
        if (def.gpu() != null) {
            if (!PCI_BDF.matcher(def.gpu()).matches()) {
                problems.add(new Problem(VmDefinition.GPU, "GPU '" + def.gpu() + "' is not a PCI address like 0000:01:00.0"));
            } else if (seen.contains(PciAddress.canonical(def.gpu()))) {
                problems.add(new Problem(VmDefinition.GPU, "GPU " + def.gpu() + " is also listed as a PCI device"));
            }
        }
    }

    private static void checkAgainstOthers(VmDefinition def, Collection<VmDefinition> others, List<Problem> problems) {
        Set<String> mine = pciOf(def);
        for (VmDefinition other : others) {
            if (other.id() != null && other.id().equals(def.id())) {
                continue;
            }
            if (def.slot() != null && def.slot().equals(other.slot())) {
                problems.add(new Problem(VmDefinition.SLOT, "slot " + def.slot() + " is already used by '" + other.name() + "'"));
            }
            if (def.name() != null && def.name().equalsIgnoreCase(other.name())) {
                problems.add(new Problem(VmDefinition.NAME, "name '" + def.name() + "' is already used by another VM"));
            }
            String otherGpu = other.gpu() == null ? null : PciAddress.canonical(other.gpu());
            for (String bdf : pciOf(other)) {
                if (mine.contains(bdf)) {
                    problems.add(new Problem(bdf.equals(otherGpu) ? VmDefinition.GPU : VmDefinition.PCI_DEVICES, (bdf.equals(otherGpu) ? "GPU " : "PCI device ") + bdf
                            + " is already assigned to '" + other.name() + "'"));
                }
            }
        }
    }

    /** The PCI addresses a VM takes from the host, with the domain always written out. */
    private static Set<String> pciOf(VmDefinition def) {
        Set<String> out = new HashSet<>();
        for (String bdf : def.pciDevices()) {
            if (bdf != null && PCI_BDF.matcher(bdf).matches()) {
                out.add(PciAddress.canonical(bdf));
            }
        }
        if (def.gpu() != null && PCI_BDF.matcher(def.gpu()).matches()) {
            out.add(PciAddress.canonical(def.gpu()));
        }
        return out;
    }


    private static void checkAbsolute(String field, String what, String path, List<Problem> problems) {
        if (path != null && !path.startsWith("/")) {
            problems.add(new Problem(field, what + " path '" + path + "' must be absolute"));
        }
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
