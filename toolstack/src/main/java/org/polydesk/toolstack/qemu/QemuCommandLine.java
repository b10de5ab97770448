package org.polydesk.toolstack.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.VmRuntimeDir;
import org.polydesk.toolstack.definition.DefinitionValidator;

/**
 * The qemu-system-x86_64 arguments for a VM definition. QEMU serves the VM's screen on a VNC UNIX
 * socket and two QMP monitors: {@code qmp.sock} for the other Polydesk services (input, display)
 * and {@code monitor.sock}, private to polydeskd, because a QMP socket takes one client at a time.
 */
public final class QemuCommandLine {
    /** Four buffers of a 3840x2160 screen and the header; a BAR's size is a power of two. */
    static final int VIEWER_REGION_MIB = 128;

    private QemuCommandLine() {
    }

    /** {@code gpuFunctions}: every function of the VM's GPU card, bound to vfio-pci; empty without a GPU. */
    public static List<String> build(String binary, String accel, Path uefiFirmware, VmDefinition def,
                                     List<String> gpuFunctions, VmRuntimeDir dir) {
        List<String> a = new ArrayList<>();
        a.add(binary);
        a.addAll(List.of("-name", "guest=" + def.name().replace(",", ",,") + ",process=polydesk-vm" + def.slot()));
        a.addAll(List.of("-uuid", def.id().toString()));
        a.addAll(List.of("-machine", "q35", "-accel", accel));
        a.addAll(List.of("-m", def.memoryMib() + "M", "-smp", String.valueOf(def.vcpus())));
        a.addAll(List.of("-nodefaults", "-no-user-config"));
        if (def.firmware() == Firmware.UEFI) {
            a.addAll(List.of("-bios", uefiFirmware.toString()));
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
        addDisks(a, def);
        addNics(a, def);
        List<String> added = new ArrayList<>();
        for (String bdf : concat(gpuFunctions, def.pciDevices())) {
            String full = DefinitionValidator.normalisePci(bdf);
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

    private static void addDisks(List<String> a, VmDefinition def) {
        // Windows has no virtio driver out of the box; paravirtual Linux guests want virtio.
        String bus = def.type() == GuestType.HVM ? "ide" : "virtio";
        List<Disk> disks = def.disks();
        for (int i = 0; i < disks.size(); i++) {
            Disk d = disks.get(i);
            if (d.empty()) {
                a.addAll(List.of("-drive", "media=cdrom,if=ide,id=" + cdDriveId(i) + ",readonly=on"));
                continue;
            }
            StringBuilder drive = new StringBuilder("file=").append(d.path().replace(",", ",,"));
            if (d.cdrom()) {
                // Named, so that vm.cd.insert and vm.cd.eject can change its medium.
                drive.append(",media=cdrom,if=ide,id=").append(cdDriveId(i));
            } else {
                drive.append(",if=").append(bus);
            }
            drive.append(",format=").append("vhd".equals(d.format()) ? "vpc" : d.format());
            if (d.readOnly()) {
                drive.append(",readonly=on");
            }
            a.addAll(List.of("-drive", drive.toString()));
        }
    }

    /** The QEMU drive id of the CD drive that is the definition's disk number {@code disk}. */
    static String cdDriveId(int disk) {
        return "cd" + disk;
    }

    private static void addNics(List<String> a, VmDefinition def) {
        String model = def.type() == GuestType.HVM ? "e1000" : "virtio-net-pci";
        List<Nic> nics = def.nics();
        for (int i = 0; i < nics.size(); i++) {
            Nic n = nics.get(i);
            a.addAll(List.of("-netdev", "bridge,id=net" + i + ",br=" + n.bridge()));
            a.addAll(List.of("-device", model + ",netdev=net" + i + (n.mac() == null ? "" : ",mac=" + n.mac())));
        }
    }

    private static List<String> concat(List<String> first, List<String> rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(rest);
        return all;
    }
}
