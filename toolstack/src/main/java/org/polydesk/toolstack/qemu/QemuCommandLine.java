package org.polydesk.toolstack.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.PciAddress;
import org.polydesk.toolstack.backend.NicNames;
import org.polydesk.toolstack.backend.SoundCardArgs;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.VmRuntimeDir;

/**
 * The qemu-system-x86_64 arguments for a VM definition. QEMU serves the VM's screen on a VNC UNIX
 * socket and two QMP monitors: {@code qmp.sock} for the other Polydesk services (input, display)
 * and {@code monitor.sock}, private to polydeskd, because a QMP socket takes one client at a time.
 *
 * <p>The machine is always q35: its built-in AHCI controller (buses ide.0–ide.5) holds the SATA
 * disks and CD-ROMs, and it has the SMM that Secure Boot's firmware needs. Each disk is a
 * {@code -drive if=none,id=drive-diskN} with a {@code -device} of id {@code diskN}, so the boot
 * order can be given as boot indexes, which both SeaBIOS and OVMF honour.
 */
public final class QemuCommandLine {
    /** Four buffers of a 3840x2160 screen and the header; a BAR's size is a power of two. */
    static final int VIEWER_REGION_MIB = 128;
    /** The id of every VM's xHCI controller; its bus is {@code xhci.0}. */
    static final String USB_CONTROLLER = "xhci";

    /** A VM's UEFI flash: the firmware (read-only) and its own variable store. */
    public record UefiFlash(Path code, Path vars) {
    }

    private QemuCommandLine() {
    }

    /**
     * {@code gpuFunctions}: every function of the VM's GPU card, bound to vfio-pci; empty without a GPU.
     * {@code uefi}: the flash of a firmware=uefi VM (unused otherwise). Hyper-V flags go on the CPU
     * only with {@code accel} kvm: they are KVM features, and TCG refuses hv-vpindex.
     */
    public static List<String> build(String binary, String accel, UefiFlash uefi, VmDefinition def,
                                     List<String> gpuFunctions, VmRuntimeDir dir) {
        return build(binary, accel, uefi, def, gpuFunctions, dir, null);
    }

    /**
     * As above, with the VM's sound card playing into and recording from dom0's sound server at
     * {@code soundServer} (a PulseAudio socket); {@code null}: the card is there, silent.
     */
    public static List<String> build(String binary, String accel, UefiFlash uefi, VmDefinition def,
                                     List<String> gpuFunctions, VmRuntimeDir dir, Path soundServer) {
        List<String> a = new ArrayList<>();
        a.add(binary);
        a.addAll(List.of("-name", "guest=" + def.name().replace(",", ",,") + ",process=polydesk-vm" + def.slot()));
        a.addAll(List.of("-uuid", def.id().toString()));
        boolean secureBoot = def.firmware() == Firmware.UEFI && def.secureBoot();
        a.addAll(List.of("-machine", secureBoot ? "q35,smm=on" : "q35", "-accel", accel));
        List<String> hv = hypervFlags(def);
        if ("kvm".equals(accel) && !hv.isEmpty()) {
            a.addAll(List.of("-cpu", "host," + String.join(",", hv)));
        }
        a.addAll(List.of("-m", def.memoryMib() + "M", "-smp", String.valueOf(def.vcpus())));
        a.addAll(List.of("-nodefaults", "-no-user-config"));
        if (def.firmware() == Firmware.UEFI) {
            if (secureBoot) {
                // Only code running in SMM may write the variable store, so the OS cannot bypass Secure Boot.
                a.addAll(List.of("-global", "driver=cfi.pflash01,property=secure,value=on"));
            }
            a.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + escape(uefi.code().toString())));
            a.addAll(List.of("-drive", "if=pflash,format=raw,unit=1,file=" + escape(uefi.vars().toString())));
        }
        if (def.rtcLocalTime()) {
            // Windows keeps the hardware clock in local time.
            a.addAll(List.of("-rtc", "base=localtime"));
        }
        a.addAll(List.of("-device", "VGA,xres=" + def.display().width() + ",yres=" + def.display().height()));
        a.addAll(List.of("-display", "none", "-vnc", "unix:" + dir.vncSocket()));
        a.addAll(List.of("-qmp", "unix:" + dir.qmpSocket() + ",server=on,wait=off"));
        a.addAll(List.of("-qmp", "unix:" + dir.monitorSocket() + ",server=on,wait=off"));
        // ttyS0 is the guest console, kept in a log for post-mortems; ttyS1 the viewer channel.
        a.addAll(List.of("-chardev", "file,id=console,path=" + dir.consoleLog(), "-serial", "chardev:console"));
        if (def.gpu() != null) {
            a.addAll(List.of("-chardev", "socket,id=viewer,path=" + dir.viewerSocket() + ",server=on,wait=off",
                    "-serial", "chardev:viewer"));
            // The viewer's frame region: a file under the run directory (tmpfs, filled only where
            // written) that dom0's display server maps too, seen by the guest as ivshmem's BAR 2.
            a.addAll(List.of("-object", "memory-backend-file,id=viewer-region,share=on,size=" + VIEWER_REGION_MIB
                    + "M,mem-path=" + dir.viewerRegion(), "-device", "ivshmem-plain,memdev=viewer-region"));
        }
        // Every VM has a USB 3 controller: the host's USB devices are given to it there, live.
        a.addAll(List.of("-device", "qemu-xhci,id=" + USB_CONTROLLER + ",p2=8,p3=8"));
        if (def.usbTablet()) {
            // An absolute pointer: the guest's cursor goes where the host's is, with no grab or acceleration.
            a.addAll(List.of("-device", "usb-tablet,bus=" + USB_CONTROLLER + ".0"));
        }
        if (def.tpm()) {
            // swtpm, started by QemuBackend, serves the TPM 2.0 on this socket; a CRB interface, as on q35 PCs.
            a.addAll(List.of("-chardev", "socket,id=swtpm,path=" + dir.swtpmSocket(),
                    "-tpmdev", "emulator,id=tpm0,chardev=swtpm", "-device", "tpm-crb,tpmdev=tpm0"));
        }
        a.addAll(SoundCardArgs.of(def, soundServer));
        BootIndexes boot = new BootIndexes(def);
        addDisks(a, def, boot);
        addNics(a, def, boot);
        List<String> added = new ArrayList<>();
        for (String bdf : concat(gpuFunctions, def.pciDevices())) {
            String full = PciAddress.canonical(bdf);
            if (!added.contains(full)) {
                added.add(full);
                a.addAll(List.of("-device", "vfio-pci,host=" + full));
            }
        }
        if (def.kernel() != null) {
            a.addAll(List.of("-kernel", def.kernel()));
            if (def.ramdisk() != null) {
                a.addAll(List.of("-initrd", def.ramdisk()));
            }
            if (def.cmdline() != null) {
                a.addAll(List.of("-append", def.cmdline()));
            }
        }
        a.addAll(List.of("-pidfile", dir.pidFile().toString()));
        return a;
    }

    /** QEMU's hv-* flags for the definition's Hyper-V groups, each once, in the groups' order. */
    public static List<String> hypervFlags(VmDefinition def) {
        Set<String> flags = new LinkedHashSet<>();
        for (HypervFeature f : def.hyperv()) {
            flags.addAll(f.qemuFlags());
        }
        return List.copyOf(flags);
    }

    /**
     * The boot index of each device: the kinds in the definition's boot order, the devices of a kind
     * in their order in the definition. A kind left out of the order gets no index (tried last).
     */
    /** The QEMU id of the host's USB device at {@code port} in a VM ({@code usb-1-2_3}: ids take no dots). */
    static String usbHostId(String port) {
        return "usb-" + port.replace('.', '_');
    }

    private static final class BootIndexes {
        private final List<BootDevice> order;
        private final int[] nextOfKind = new int[BootDevice.values().length];
        private final int perKind;

        BootIndexes(VmDefinition def) {
            order = def.boot();
            perKind = def.disks().size() + def.nics().size() + 1;
        }

        String next(BootDevice kind) {
            int position = order.indexOf(kind);
            if (position < 0) {
                return "";
            }
            return ",bootindex=" + (position * perKind + nextOfKind[kind.ordinal()]++);
        }
    }

    private static void addDisks(List<String> a, VmDefinition def, BootIndexes boot) {
        // Windows has no virtio driver out of the box; paravirtual Linux guests want virtio.
        DiskBus fallback = def.type() == GuestType.HVM ? DiskBus.SATA : DiskBus.VIRTIO;
        int sataPort = 0;
        for (int i = 0; i < def.disks().size(); i++) {
            Disk d = def.disks().get(i);
            // Named, so that vm.cd.insert and vm.cd.eject can change a CD drive's medium.
            StringBuilder drive = new StringBuilder(d.empty() ? "" : "file=" + escape(d.path()) + ",")
                    .append("if=none,id=").append(driveId(i));
            if (d.cdrom()) {
                drive.append(",media=cdrom");
            }
            if (!d.empty()) {
                drive.append(",format=").append("vhd".equals(d.format()) ? "vpc" : d.format());
            }
            if (d.readOnly()) {
                drive.append(",readonly=on");
            }
            a.addAll(List.of("-drive", drive.toString()));
            String device;
            if (d.cdrom()) {
                device = "ide-cd,bus=ide." + sataPort++ + ",drive=" + driveId(i) + ",id=disk" + i + boot.next(BootDevice.CDROM);
            } else if ((d.bus() == null ? fallback : d.bus()) == DiskBus.VIRTIO) {
                device = "virtio-blk-pci,drive=" + driveId(i) + ",id=disk" + i + boot.next(BootDevice.DISK);
            } else {
                device = "ide-hd,bus=ide." + sataPort++ + ",drive=" + driveId(i) + ",id=disk" + i + boot.next(BootDevice.DISK);
            }
            a.addAll(List.of("-device", device));
        }
    }

    /** The QEMU drive id of the definition's disk number {@code disk} (a CD drive's, for QMP's medium changes). */
    static String driveId(int disk) {
        return "drive-disk" + disk;
    }

    static String netdevId(int nic) {
        return "net" + nic;
    }

    private static void addNics(List<String> a, VmDefinition def, BootIndexes boot) {
        NicModel fallback = def.type() == GuestType.HVM ? NicModel.E1000 : NicModel.VIRTIO;
        List<Nic> nics = def.nics();
        for (int i = 0; i < nics.size(); i++) {
            Nic n = nics.get(i);
            NicModel model = n.model() == null ? fallback : n.model();
            // On one of polydeskd's networks: the tap it made (QEMU only opens it); on a host bridge: QEMU's helper.
            a.addAll(List.of("-netdev", n.network() != null
                    ? "tap,id=" + netdevId(i) + ",ifname=" + NicNames.of(def.id(), i) + ",script=no,downscript=no"
                    : "bridge,id=" + netdevId(i) + ",br=" + n.bridge()));
            a.addAll(List.of("-device", model.qemuDevice() + ",netdev=" + netdevId(i) + (n.mac() == null ? "" : ",mac=" + n.mac())
                    + boot.next(BootDevice.NETWORK)));
        }
    }

    /** A value inside QEMU's comma-separated options, where a comma is written twice. */
    private static String escape(String value) {
        return value.replace(",", ",,");
    }

    private static List<String> concat(List<String> first, List<String> rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(rest);
        return all;
    }
}
