package org.polydesk.toolstack.libxl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.PciAddress;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.NicNames;
import org.polydesk.toolstack.backend.SoundCardArgs;
import org.polydesk.toolstack.backend.VmRuntimeDir;

/**
 * A VM definition as libxl's libxl_domain_config JSON (the form libxl_domain_config_from_json
 * reads). An HVM guest's device model gets, through {@code extra_hvm}, the same VNC socket, QMP
 * socket and viewer serial port as a QEMU-backend VM, so the display and input servers reach
 * both alike. libxl's own VNC server is off: ours is the one on the UNIX socket.
 *
 * <p>A GPU goes in as every function of its card (polydeskd made them assignable first), as a
 * secondary adapter: the emulated VGA stays the guest's boot display and our VNC source, and the
 * guest's own driver takes the card. {@code gfx_passthru} is left off because with qemu-xen it only
 * knows Intel's integrated graphics and turns the emulated VGA (and so our VNC) off. Each function
 * has {@code rdm_policy=strict}: reserved device memory (RMRR) that the guest's memory layout
 * cannot avoid refuses the start with libxl's message instead of crashing the guest's driver later.
 *
 * <p>With {@link DeviceModel our device model} (package polydesk-device-model) an HVM guest also gets
 * its sound card, playing into dom0's sound server as on the QEMU backend; Debian's qemu-system-xen
 * has no PulseAudio backend, so without it the guest has none.
 */
public final class LibxlDomainConfig {
    /**
     * The QEMU that libxl runs as an HVM guest's device model ({@code device_model_override}), and the
     * sound server its card plays into (null: the card is there, silent).
     */
    public record DeviceModel(Path binary, Path soundServer) {
    }

    private LibxlDomainConfig() {
    }

    /** With Debian's device model: no sound card. */
    public static ObjectNode of(VmDefinition def, VmRuntimeDir dir, List<String> gpuFunctions, Path emptyCd) {
        return of(def, dir, gpuFunctions, emptyCd, null);
    }

    /**
     * {@code gpuFunctions}: the functions of the VM's GPU card, made assignable; empty without a GPU.
     * {@code emptyCd}: the placeholder medium an empty CD drive of an HVM guest starts with (see
     * {@link #startsWithPlaceholder}).
     */
    public static ObjectNode of(VmDefinition def, VmRuntimeDir dir, List<String> gpuFunctions, Path emptyCd,
                                DeviceModel deviceModel) {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode cInfo = root.putObject("c_info");
        cInfo.put("type", def.type().wireName());
        cInfo.put("name", def.name());
        cInfo.put("uuid", def.id().toString());

        ObjectNode bInfo = root.putObject("b_info");
        bInfo.put("max_vcpus", def.vcpus());
        ArrayNode avail = bInfo.putArray("avail_vcpus");
        for (int i = 0; i < def.vcpus(); i++) {
            avail.add(i);
        }
        long kib = def.memoryMib() * 1024L;
        bInfo.put("max_memkb", kib);
        bInfo.put("target_memkb", kib);
        putIfSet(bInfo, "kernel", def.kernel());
        putIfSet(bInfo, "ramdisk", def.ramdisk());
        putIfSet(bInfo, "cmdline", def.cmdline());
        putIfSet(bInfo, "bootloader", def.bootloader());
        if (def.rtcLocalTime()) {
            bInfo.put("localtime", "True");
        }
        switch (def.type()) {
            case HVM -> hvm(def, dir, bInfo, deviceModel);
            case PVH -> bInfo.putObject("type.pvh");
            case PV -> bInfo.putObject("type.pv");
        }

        if (def.type() == GuestType.HVM) {
            // A USB 3 controller in the device model, as the QEMU backend gives every VM: the host's
            // USB devices are given to it live (libxl usbdev, LibxlBackend.usbAttach).
            root.putArray("usbctrls").add(usbController());
        }
        ArrayNode disks = root.putArray("disks");
        List<String> vdevs = vdevs(def);
        for (int i = 0; i < def.disks().size(); i++) {
            Disk d = def.disks().get(i);
            ObjectNode disk = disks.addObject();
            boolean placeholder = startsWithPlaceholder(def, d);
            if (placeholder) {
                disk.put("pdev_path", emptyCd.toString());
            } else if (!d.empty()) {
                disk.put("pdev_path", d.path());
            }
            disk.put("vdev", vdevs.get(i));
            disk.put("format", placeholder ? "raw" : d.empty() ? "empty" : d.format());
            disk.put("readwrite", d.readOnly() ? 0 : 1);
            disk.put("is_cdrom", d.cdrom() ? 1 : 0);
            disk.put("removable", d.cdrom() ? 1 : 0);
        }
        ArrayNode nics = root.putArray("nics");
        for (int i = 0; i < def.nics().size(); i++) {
            Nic n = def.nics().get(i);
            ObjectNode nic = nics.addObject();
            nic.put("devid", i);
            if (n.network() != null) {
                // polydeskd's network: its bridge, and the vif named as the firewall expects it.
                nic.put("bridge", Network.BRIDGE_PREFIX + n.network());
                nic.put("ifname", NicNames.of(def.id(), i));
            } else {
                nic.put("bridge", n.bridge());
            }
            putIfSet(nic, "mac", n.mac());
            if (def.type() == GuestType.HVM && n.model() != NicModel.VIRTIO) {
                nic.put("nictype", "vif_ioemu");
                // qemu-xen takes the model as its -device name; left out, libxl's default (rtl8139).
                if (n.model() != null) {
                    nic.put("model", n.model().qemuDevice());
                }
            } else {
                // The paravirtual interface alone (netfront): what virtio is on QEMU.
                nic.put("nictype", "vif");
            }
        }
        ArrayNode pcidevs = root.putArray("pcidevs");
        List<String> added = new ArrayList<>();
        for (String bdf : gpuFunctions) {
            pcidevs.add(pci(bdf).put("rdm_policy", "strict"));
            added.add(PciAddress.canonical(bdf));
        }
        def.pciDevices().stream().filter(bdf -> !added.contains(PciAddress.canonical(bdf)))
                .forEach(bdf -> pcidevs.add(pci(bdf)));
        // libxl only records these: LibxlBackend acts on a guest's power-off, reboot or crash itself.
        root.put("on_poweroff", "destroy");
        root.put("on_reboot", "restart");
        root.put("on_crash", "destroy");
        return root;
    }

    private static void hvm(VmDefinition def, VmRuntimeDir dir, ObjectNode bInfo, DeviceModel deviceModel) {
        bInfo.put("device_model_version", "qemu_xen");
        if (deviceModel != null) {
            bInfo.put("device_model", deviceModel.binary().toString());
        }
        ObjectNode hvm = bInfo.putObject("type.hvm");
        hvm.put("bios", def.firmware() == Firmware.UEFI ? "ovmf" : "seabios");
        hvm.putObject("vga").put("kind", "std");
        hvm.putObject("vnc").put("enable", "False");
        hvm.putObject("sdl").put("enable", "False");
        // ttyS0, so that the viewer channel below is ttyS1 in the guest as on the QEMU backend.
        hvm.put("serial", "pty");
        if (!def.hyperv().isEmpty()) {
            // A libxl_bitmap is the list of its set bits, ascending (libxl sizes it by the last one);
            // HypervFeature is declared in libxl's order. viridian (the defbool) stays unset: it would
            // add xl's default groups to the ones asked for.
            ArrayNode groups = hvm.putArray("viridian_enable");
            def.hyperv().stream().mapToInt(Enum::ordinal).distinct().sorted().forEach(groups::add);
        }
        if (!def.boot().isEmpty()) {
            StringBuilder order = new StringBuilder();
            def.boot().forEach(b -> order.append(b.xlLetter()));
            hvm.put("boot", order.toString());
        }
        if (def.usbTablet()) {
            hvm.putArray("usbdevice_list").add("tablet");
        }
        if (def.disks().stream().anyMatch(d -> d.bus() == DiskBus.SATA)) {
            // One emulated controller for every hdX disk: AHCI when any disk asks for SATA.
            hvm.put("hdtype", "ahci");
        }
        ArrayNode extra = bInfo.putArray("extra_hvm");
        extra.add("-vnc").add("unix:" + dir.vncSocket());
        extra.add("-qmp").add("unix:" + dir.qmpSocket() + ",server=on,wait=off");
        if (def.gpu() != null) {
            extra.add("-chardev").add("socket,id=viewer,path=" + dir.viewerSocket() + ",server=on,wait=off");
            extra.add("-device").add("isa-serial,chardev=viewer");
        }
        if (deviceModel != null) {
            SoundCardArgs.of(def, deviceModel.soundServer()).forEach(extra::add);
        }
    }

    /**
     * The guest device names: given ones are kept, the others take the next free hdX (an HVM guest's
     * emulated disk) or xvdX (PV, PVH, and an HVM guest's virtio disk, which on Xen is the PV disk alone).
     */
    static List<String> vdevs(VmDefinition def) {
        List<String> taken = new ArrayList<>();
        def.disks().stream().map(Disk::vdev).filter(v -> v != null).forEach(taken::add);
        List<String> out = new ArrayList<>();
        char nextHd = 'a';
        char nextXvd = 'a';
        for (Disk d : def.disks()) {
            if (d.vdev() != null) {
                out.add(d.vdev());
                continue;
            }
            boolean emulated = def.type() == GuestType.HVM && (d.cdrom() || d.bus() != DiskBus.VIRTIO);
            String prefix = emulated ? "hd" : "xvd";
            char next = emulated ? nextHd : nextXvd;
            while (taken.contains(prefix + next)) {
                next++;
            }
            String v = prefix + next;
            taken.add(v);
            out.add(v);
            if (emulated) {
                nextHd = next;
            } else {
                nextXvd = next;
            }
        }
        return out;
    }

    /**
     * An HVM guest's CD drive that is empty in the definition starts with a placeholder medium, which
     * the backend ejects before the guest runs. Started empty, the device model's Xen block backend
     * cannot open it ("Could not stat file ''") and the first libxl_cdrom_insert kills Debian's
     * qemu-system-xen 7.2; started with a medium, inserts and ejects work (tests/xen: f-cd-*).
     * OpenXT keeps its drives from being empty the same way.
     */
    static boolean startsWithPlaceholder(VmDefinition def, Disk d) {
        return def.type() == GuestType.HVM && d.cdrom() && d.empty();
    }

    /**
     * The CD drive {@code vdev} of a running HVM guest with {@code medium} in it, as libxl_device_disk
     * JSON for libxl_cdrom_insert: what xl's cd-insert hands it (libxlutil's "vdev=V,access=r,
     * devtype=cdrom,target=MEDIUM": raw, read-only, removable). Without a medium the drive is emptied,
     * as xl's cd-eject does it: the same with an empty target, format empty. libxl finds the drive by
     * vdev and keeps its backend.
     */
    static ObjectNode cdrom(String vdev, Path medium) {
        ObjectNode disk = Json.mapper().createObjectNode();
        disk.put("vdev", vdev);
        disk.put("pdev_path", medium == null ? "" : medium.toString());
        disk.put("format", medium == null ? "empty" : "raw");
        disk.put("readwrite", 0);
        disk.put("is_cdrom", 1);
        disk.put("removable", 1);
        return disk;
    }

    /**
     * How libxl_domain_create_restore reads what libxl_domain_suspend wrote, as
     * libxl_domain_restore_params JSON: a plain stream (checkpointed_stream is an integer in the IDL,
     * 0 = LIBXL_CHECKPOINTED_STREAM_NONE, no Remus or COLO) of version 2, the one libxl_domain_suspend
     * writes (LIBXL_HAVE_SRM_V2); left out, stream_version is 1, the legacy format libxl would convert.
     */
    static ObjectNode restoreParams() {
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("checkpointed_stream", 0);
        params.put("stream_version", 2);
        return params;
    }

    /**
     * The guest device name of the definition's disk number {@code disk}, which must be a CD drive
     * of an HVM guest: only there does a device model hold a medium that can change while it runs.
     */
    static String cdromVdev(VmDefinition def, int disk) {
        if (def.type() != GuestType.HVM) {
            throw new IllegalArgumentException("'" + def.name() + "' is a " + def.type().wireName()
                    + " guest; on Xen a CD can be changed while the VM runs only in an HVM guest (its device model"
                    + " holds the medium)");
        }
        if (disk < 0 || disk >= def.disks().size() || !def.disks().get(disk).cdrom()) {
            throw new IllegalArgumentException("'" + def.name() + "' has no CD drive as disk " + (disk + 1));
        }
        return vdevs(def).get(disk);
    }

    /** A PCI address as libxl_device_pci JSON. */
    static ObjectNode pci(String bdf) {
        String full = PciAddress.canonical(bdf);
        ObjectNode pci = Json.mapper().createObjectNode();
        pci.put("domain", Integer.parseInt(full.substring(0, 4), 16));
        pci.put("bus", Integer.parseInt(full.substring(5, 7), 16));
        pci.put("dev", Integer.parseInt(full.substring(8, 10), 16));
        pci.put("func", Integer.parseInt(full.substring(11, 12), 16));
        return pci;
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    /** The xHCI controller (USB 3, 8 ports) in an HVM domain's device model: libxl_device_usbctrl. */
    static ObjectNode usbController() {
        ObjectNode c = Json.mapper().createObjectNode();
        return c.put("type", "devicemodel").put("devid", 0).put("version", 3).put("ports", 8);
    }

    /** The host's USB device at bus/address as libxl_device_usbdev (controller and port left to libxl). */
    static ObjectNode usbHostDevice(int hostbus, int hostaddr) {
        ObjectNode d = Json.mapper().createObjectNode();
        d.putObject("type.hostdev").put("hostbus", hostbus).put("hostaddr", hostaddr);
        return d;
    }
}
