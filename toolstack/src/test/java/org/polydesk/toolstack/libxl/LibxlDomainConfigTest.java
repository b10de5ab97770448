package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.OsProfile;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.VmRuntimeDir;

class LibxlDomainConfigTest {
    private static final UUID ID = UUID.fromString("0b5f8a1e-7d1c-4c2e-9a77-5d8f3e2a1b40");
    private static final VmRuntimeDir DIR = VmRuntimeDir.of(Path.of("/run/polydesk"), ID);
    private static final String VM_DIR = "/run/polydesk/vm/" + ID;
    private static final Path EMPTY_CD = Path.of("/run/polydesk/empty-cd.iso");

    private static JsonNode config(VmDefinition def) {
        return LibxlDomainConfig.of(def, DIR, List.of(), EMPTY_CD);
    }

    /**
     * With our device model an HVM guest gets it (device_model_override) and its sound card into dom0's
     * sound server, named after the VM; silent (audiodev none) when the server did not answer; a PV
     * guest, which has no device model of that kind, nothing. Without it, no card: Debian's cannot play.
     */
    @Test
    void ourDeviceModelGivesAnHvmGuestItsSoundCard() {
        Path qemu = Path.of("/usr/lib/polydesk/qemu/qemu-system-x86_64");
        Path server = Path.of("/run/polydesk-sound/pulse/native");
        VmDefinition hvm = VmDefinition.builder().id(ID).name("Desk, 1").slot(1).memoryMib(1024).build();
        JsonNode withSound = LibxlDomainConfig.of(hvm, DIR, List.of(), EMPTY_CD, new LibxlDomainConfig.DeviceModel(qemu, server));
        assertEquals(qemu.toString(), withSound.path("b_info").path("device_model").asText());
        List<String> extra = strings(withSound.path("b_info").path("extra_hvm"));
        assertEquals(List.of("-audiodev", "pa,id=sound,server=unix:" + server + ",out.stream-name=Desk,, 1,in.stream-name=Desk,, 1",
                "-device", "intel-hda", "-device", "hda-duplex,audiodev=sound,mixer=off"),
                extra.subList(extra.indexOf("-audiodev"), extra.size()));

        JsonNode silent = LibxlDomainConfig.of(hvm, DIR, List.of(), EMPTY_CD, new LibxlDomainConfig.DeviceModel(qemu, null));
        assertTrue(strings(silent.path("b_info").path("extra_hvm")).contains("none,id=sound"), silent.toString());

        JsonNode debians = config(hvm);
        assertTrue(debians.path("b_info").path("device_model").isMissingNode(), debians.toString());
        assertFalse(strings(debians.path("b_info").path("extra_hvm")).contains("-audiodev"), debians.toString());

        VmDefinition pv = VmDefinition.builder().id(ID).name("Pv").slot(2).memoryMib(256).type(GuestType.PV)
                .kernel("/boot/vmlinuz").build();
        JsonNode pvConfig = LibxlDomainConfig.of(pv, DIR, List.of(), EMPTY_CD, new LibxlDomainConfig.DeviceModel(qemu, server));
        assertFalse(pvConfig.toString().contains("audiodev"), pvConfig.toString());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * The GPU's card goes in whole (the functions polydeskd made assignable), strict about reserved
     * device memory, as a secondary adapter (no gfx_passthru); a listed function is not added twice,
     * and other PCI devices follow as given.
     */
    @Test
    void anHvmPassthroughGuestGetsOurSocketsThroughItsDeviceModel() throws Exception {
        VmDefinition def = VmDefinition.builder().id(ID).name("Gaming").slot(1).memoryMib(8192).vcpus(4)
                .firmware(Firmware.UEFI).gpu("01:00.0").pciDevices(List.of("01:00.1", "0000:03:00.0"))
                .disks(List.of(new Disk("/srv/win.qcow2", "qcow2", false, false, null),
                        new Disk("/srv/win.iso", null, true, null, null)))
                .nics(List.of(new Nic("xenbr0", "00:16:3e:00:00:01")))
                .build();
        JsonNode expected = Json.mapper().readTree("""
                {
                  "c_info": {"type": "hvm", "name": "Gaming", "uuid": "%s"},
                  "b_info": {
                    "max_vcpus": 4, "avail_vcpus": [0, 1, 2, 3],
                    "max_memkb": 8388608, "target_memkb": 8388608,
                    "device_model_version": "qemu_xen",
                    "type.hvm": {
                      "bios": "ovmf", "vga": {"kind": "std"}, "vnc": {"enable": "False"}, "sdl": {"enable": "False"},
                      "serial": "pty"
                    },
                    "extra_hvm": ["-vnc", "unix:%s/vnc.sock",
                                  "-qmp", "unix:%s/qmp.sock,server=on,wait=off",
                                  "-chardev", "socket,id=viewer,path=%s/viewer.sock,server=on,wait=off",
                                  "-device", "isa-serial,chardev=viewer"]
                  },
                  "usbctrls": [{"type": "devicemodel", "devid": 0, "version": 3, "ports": 8}],
                  "disks": [
                    {"pdev_path": "/srv/win.qcow2", "vdev": "hda", "format": "qcow2", "readwrite": 1, "is_cdrom": 0, "removable": 0},
                    {"pdev_path": "/srv/win.iso", "vdev": "hdb", "format": "raw", "readwrite": 0, "is_cdrom": 1, "removable": 1}
                  ],
                  "nics": [{"devid": 0, "bridge": "xenbr0", "mac": "00:16:3e:00:00:01", "nictype": "vif_ioemu"}],
                  "pcidevs": [{"domain": 0, "bus": 1, "dev": 0, "func": 0, "rdm_policy": "strict"},
                              {"domain": 0, "bus": 1, "dev": 0, "func": 1, "rdm_policy": "strict"},
                              {"domain": 0, "bus": 3, "dev": 0, "func": 0}],
                  "on_poweroff": "destroy", "on_reboot": "restart", "on_crash": "destroy"
                }
                """.formatted(ID, VM_DIR, VM_DIR, VM_DIR));
        // Compared as parsed text: libxl reads the text, and number node types may differ.
        assertEquals(expected, Json.mapper().readTree(
                LibxlDomainConfig.of(def, DIR, List.of("0000:01:00.0", "0000:01:00.1"), EMPTY_CD).toString()));
    }

    @Test
    void aPvhGuestBootsItsKernelDirectlyAndHasNoDeviceModel() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Debian").slot(2).memoryMib(256).type(GuestType.PVH)
                .kernel("/boot/vmlinuz").ramdisk("/boot/initrd.img").cmdline("console=hvc0")
                .disks(List.of(new Disk("/srv/a.img", "raw", false, false, "xvdb"), new Disk("/srv/b.img", "raw", false, false, null)))
                .nics(List.of(new Nic("xenbr0", null)))
                .build();
        JsonNode c = config(def);
        assertEquals("pvh", c.at("/c_info/type").asText());
        assertEquals("/boot/vmlinuz", c.at("/b_info/kernel").asText());
        assertEquals("/boot/initrd.img", c.at("/b_info/ramdisk").asText());
        assertEquals("console=hvc0", c.at("/b_info/cmdline").asText());
        assertEquals(262144, c.at("/b_info/max_memkb").asLong());
        assertEquals(Json.mapper().createObjectNode(), c.at("/b_info/type.pvh"));
        assertFalse(c.get("b_info").has("extra_hvm"), "no device model, so no sockets of ours");
        assertEquals("xvdb", c.at("/disks/0/vdev").asText(), "a given device name is kept");
        assertEquals("xvda", c.at("/disks/1/vdev").asText(), "the others take the free ones");
        assertEquals("vif", c.at("/nics/0/nictype").asText());
        assertFalse(c.at("/nics/0").has("mac"), "libxl picks a MAC when none is given");
    }

    @Test
    void aPvGuestWithPygrubKeepsItsBootloader() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Old").slot(3).type(GuestType.PV).bootloader("pygrub")
                .disks(List.of(new Disk("/dev/vg0/old", "raw", false, false, "xvda"))).build();
        JsonNode c = config(def);
        assertEquals("pv", c.at("/c_info/type").asText());
        assertEquals("pygrub", c.at("/b_info/bootloader").asText());
        assertFalse(c.get("b_info").has("kernel"));
        assertEquals(Json.mapper().createObjectNode(), c.at("/b_info/type.pv"));
    }

    @Test
    void theWindows11ProfileBecomesViridianBootOrderTabletLocalTimeAhciAndTheNicModel() {
        VmDefinition def = OsProfile.WIN11.applyTo(VmDefinition.builder().id(ID).name("Win11").slot(1)
                .disks(List.of(new Disk("/srv/win.qcow2", "qcow2", false, false, null), new Disk("/srv/win.iso", null, true, null, null)))
                .nics(List.of(new Nic("xenbr0", "00:16:3e:00:00:01"))).build());
        JsonNode c = config(def);
        JsonNode hvm = c.path("b_info").path("type.hvm");
        // libxl_viridian_enlightenment's values: base 0, freq 1, time_ref_count 2, reference_tsc 3,
        // hcall_remote_tlb_flush 4, apic_assist 5, crash_ctl 6, synic 7, stimer 8, hcall_ipi 9.
        assertEquals("[0,1,2,3,4,5,6,7,8,9]", hvm.path("viridian_enable").toString());
        assertTrue(hvm.path("viridian").isMissingNode(), "the defbool would add xl's defaults to the groups asked for");
        assertEquals("dc", hvm.path("boot").asText());
        assertEquals("[\"tablet\"]", hvm.path("usbdevice_list").toString());
        assertEquals("ahci", hvm.path("hdtype").asText());
        assertEquals("True", c.path("b_info").path("localtime").asText());
        assertEquals("ovmf", hvm.path("bios").asText());
        assertEquals("e1000", c.path("nics").path(0).path("model").asText());
        assertEquals("vif_ioemu", c.path("nics").path(0).path("nictype").asText());
        assertEquals(List.of(new Problem("tpm", "a TPM 2.0 is not supported on Xen (this host's backend); turn tpm off"
                        + " (Windows 11 needs the QEMU backend, or its installer's TPM check bypassed)"),
                new Problem("secureBoot", "Secure Boot is not supported on Xen (this host's backend): its OVMF has no"
                        + " Secure Boot keys; turn secureBoot off")),
                LibxlBackend.unsupportedOnXen(def));
        assertEquals(List.of(), LibxlBackend.unsupportedOnXen(def.toBuilder().tpm(false).secureBoot(false).build()),
                "everything else of the Windows 11 profile runs on Xen");
    }

    @Test
    void virtioOnXenIsThePvDiskAndThePvInterfaceAlone() {
        VmDefinition def = OsProfile.LINUX.applyTo(VmDefinition.builder().id(ID).name("Deb").slot(1)
                .disks(List.of(new Disk("/srv/deb.img", "raw", false, false, null), new Disk("/srv/deb.iso", null, true, null, null)))
                .nics(List.of(new Nic("xenbr0", null))).build());
        JsonNode c = config(def);
        assertEquals("xvda", c.path("disks").path(0).path("vdev").asText());
        assertEquals("hda", c.path("disks").path(1).path("vdev").asText(), "the CD-ROM stays emulated");
        assertEquals("vif", c.path("nics").path(0).path("nictype").asText());
        assertTrue(c.path("nics").path(0).path("model").isMissingNode());
        assertTrue(c.path("b_info").path("type.hvm").path("hdtype").isMissingNode());
    }

    /**
     * An empty CD drive of an HVM guest is made with the placeholder in it (the backend ejects it
     * before the guest runs); one with a medium, and a PVH guest's, are as the definition says.
     */
    @Test
    void anEmptyHvmCdDriveStartsWithThePlaceholder() throws Exception {
        VmDefinition def = VmDefinition.builder().id(ID).name("Win").slot(1)
                .disks(List.of(new Disk(null, null, true, null, null), new Disk("/srv/drivers.iso", null, true, null, null)))
                .build();
        JsonNode disks = config(def).path("disks");
        assertEquals(Json.mapper().readTree("""
                [{"pdev_path": "/run/polydesk/empty-cd.iso", "vdev": "hda", "format": "raw", "readwrite": 0, "is_cdrom": 1, "removable": 1},
                 {"pdev_path": "/srv/drivers.iso", "vdev": "hdb", "format": "raw", "readwrite": 0, "is_cdrom": 1, "removable": 1}]
                """), disks);
        assertTrue(LibxlDomainConfig.startsWithPlaceholder(def, def.disks().get(0)));
        assertFalse(LibxlDomainConfig.startsWithPlaceholder(def, def.disks().get(1)));
        assertFalse(LibxlDomainConfig.startsWithPlaceholder(def.toBuilder().type(GuestType.PVH).build(), def.disks().get(0)),
                "no device model holds a PVH guest's drive");
    }

    /** What xl's cd-insert hands libxl_cdrom_insert: the drive by vdev, raw, read-only, removable. */
    @Test
    void aCdMediumIsTheDriveByVdevReadOnlyRawAsXlsCdInsertGivesIt() throws Exception {
        assertEquals(Json.mapper().readTree("""
                {"vdev": "hdb", "pdev_path": "/var/lib/polydesk/media/debian.iso", "format": "raw",
                 "readwrite": 0, "is_cdrom": 1, "removable": 1}
                """), LibxlDomainConfig.cdrom("hdb", Path.of("/var/lib/polydesk/media/debian.iso")));
    }

    /** xl's cd-eject: the same with an empty target, which libxl takes as format empty. */
    @Test
    void anEjectIsAnInsertOfNothing() throws Exception {
        assertEquals(Json.mapper().readTree("""
                {"vdev": "hdc", "pdev_path": "", "format": "empty", "readwrite": 0, "is_cdrom": 1, "removable": 1}
                """), LibxlDomainConfig.cdrom("hdc", null));
    }

    /**
     * A plain (not checkpointed) stream of version 2, the one libxl_domain_suspend writes;
     * checkpointed_stream is an integer in libxl's IDL, not the enum's name.
     */
    @Test
    void aRestoreReadsThePlainVersion2StreamLibxlSaved() throws Exception {
        assertEquals(Json.mapper().readTree("{\"checkpointed_stream\": 0, \"stream_version\": 2}"),
                LibxlDomainConfig.restoreParams());
    }

    /** The drive a CD change addresses is the device name the domain was created with. */
    @Test
    void aCdChangeAddressesTheDrivesDeviceName() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Win").slot(1)
                .disks(List.of(new Disk("/srv/win.qcow2", "qcow2", false, false, null), new Disk(null, null, true, null, null),
                        new Disk("/srv/drivers.iso", null, true, null, "hdd")))
                .build();
        assertEquals(config(def).at("/disks/1/vdev").asText(), LibxlDomainConfig.cdromVdev(def, 1));
        assertEquals("hdb", LibxlDomainConfig.cdromVdev(def, 1));
        assertEquals("hdd", LibxlDomainConfig.cdromVdev(def, 2), "a given device name is kept");
        IllegalArgumentException notCd = assertThrows(IllegalArgumentException.class, () -> LibxlDomainConfig.cdromVdev(def, 0));
        assertEquals("'Win' has no CD drive as disk 1", notCd.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LibxlDomainConfig.cdromVdev(def, 3));
        IllegalArgumentException pvh = assertThrows(IllegalArgumentException.class,
                () -> LibxlDomainConfig.cdromVdev(def.toBuilder().type(GuestType.PVH).build(), 1));
        assertEquals("'Win' is a pvh guest; on Xen a CD can be changed while the VM runs only in an HVM guest (its device"
                + " model holds the medium)", pvh.getMessage());
    }

    @Test
    void aResumeOfASavedStateThatIsNotThereIsRefusedBeforeAnythingIsMade(@TempDir Path tmp) {
        VmDefinition def = VmDefinition.builder().id(ID).name("Win").slot(1).build();
        BackendException gone = assertThrows(BackendException.class,
                () -> LibxlBackend.checkSavedState(def, tmp.resolve("gone.img")));
        assertEquals("cannot resume 'Win': its saved state " + tmp.resolve("gone.img") + " is not there", gone.getMessage());
        BackendException dir = assertThrows(BackendException.class, () -> LibxlBackend.checkSavedState(def, tmp));
        assertEquals("cannot resume 'Win': its saved state " + tmp + " is not a file", dir.getMessage());
    }
}
