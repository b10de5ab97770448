package org.polydesk.toolstack.xlcfg;

import org.polydesk.protocol.toolstack.XlImportResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.OsProfile;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.toolstack.XlImportResult;
import org.polydesk.protocol.vm.VmDefinition;

class XlConfigExporterTest {

    private static final VmDefinition GAMING = VmDefinition.builder()
            .id(UUID.fromString("5f0e8a5e-2b1c-4a0e-9d6b-3c2f1e0a7b91"))
            .name("win10")
            .slot(2)
            .colour("#cc0000")
            .memoryMib(8192)
            .vcpus(4)
            .type(GuestType.HVM)
            .firmware(Firmware.UEFI)
            .disks(List.of(
                    new Disk("/srv/vm/win10.qcow2", "qcow2", false, false, null),
                    new Disk("/srv/iso/win10.iso", null, true, null, null)))
            .nics(List.of(new Nic("xenbr0", "00:16:3e:5a:01:02")))
            .gpu("0000:01:00.0")
            .pciDevices(List.of("0000:01:00.1"))
            .autostart(true)
            .build();

    private static List<String> strings(XlConfig config, String key) throws XlConfigException {
        return config.get(key).orElseThrow().strings().stream().map(XlValue.Atom::text).toList();
    }

    @Test
    void writesAnHvmGuestWithItsGpuFirst() {
        assertEquals("""
                # xl.cfg(5) for the VM "win10", written by Polydesk.
                # Polydesk's own settings (slot, colour, display size, autostart) have no xl equivalent.

                name = "win10"
                uuid = "5f0e8a5e-2b1c-4a0e-9d6b-3c2f1e0a7b91"
                type = "hvm"
                memory = 8192
                vcpus = 4
                bios = "ovmf"
                vga = "stdvga"
                disk = [
                    "format=qcow2,vdev=hda,access=rw,target=/srv/vm/win10.qcow2",
                    "format=raw,vdev=hdb,devtype=cdrom,access=ro,target=/srv/iso/win10.iso",
                ]
                vif = [
                    "bridge=xenbr0,mac=00:16:3e:5a:01:02",
                ]
                pci = [
                    "0000:01:00.0",
                    "0000:01:00.1",
                ]
                gfx_passthru = 1
                """, XlConfigExporter.export(GAMING));
    }

    @Test
    void theOutputParsesBackWithTheExpectedKeys() throws XlConfigException {
        XlConfig config = XlConfigParser.parse(XlConfigExporter.export(GAMING));
        assertEquals(List.of("name", "uuid", "type", "memory", "vcpus", "bios", "vga", "disk", "vif", "pci", "gfx_passthru"),
                List.copyOf(config.keys()));
        assertEquals(8192, config.get("memory").orElseThrow().number());
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1"), strings(config, "pci"));
        assertEquals(true, config.get("gfx_passthru").orElseThrow().flag());
    }

    @Test
    void aPvGuestGetsXvdNamesAndItsBootSettingsButNoBios() throws XlConfigException {
        VmDefinition pv = VmDefinition.builder()
                .name("legacy")
                .type(GuestType.PV)
                .bootloader("pygrub")
                .cmdline("console=hvc0 \"quoted\" C:\\path")
                .disks(List.of(
                        new Disk("/dev/vg0/root", "raw", false, false, "xvdb"),
                        new Disk("/dev/vg0/swap", "raw", false, true, null)))
                .build();
        XlConfig config = XlConfigParser.parse(XlConfigExporter.export(pv));
        assertEquals(List.of("name", "type", "memory", "vcpus", "cmdline", "bootloader", "disk"),
                List.copyOf(config.keys()));
        assertEquals("console=hvc0 \"quoted\" C:\\path", config.get("cmdline").orElseThrow().string());
        assertEquals(List.of("format=raw,vdev=xvdb,access=rw,target=/dev/vg0/root",
                "format=raw,vdev=xvda,access=ro,target=/dev/vg0/swap"), strings(config, "disk"));
    }

    @Test
    void exportThenImportGivesTheSameXlFields() throws Exception {
        VmDefinition withVdevs = GAMING.toBuilder()
                .slot(null).colour(null).autostart(null)
                .disks(List.of(
                        new Disk("/srv/vm/win,10.qcow2", "qcow2", false, false, "hda"),
                        new Disk("/srv/iso/win10.iso", "raw", true, true, "hdc")))
                .name("Anna's \"gaming\" PC \\ 2")
                .build();
        XlImportResult imported = XlConfigImporter.importText(XlConfigExporter.export(withVdevs));
        assertEquals(withVdevs, imported.definition());
        assertEquals(List.of(), imported.unsupported());
    }

    @Test
    void quotingEscapesBackslashQuoteAndLineEnds() {
        assertEquals("\"a\\\\b \\\"c\\\" d\\ne\"", XlConfigExporter.quote("a\\b \"c\" d\ne"));
    }

    @Test
    void theGpuIsWrittenOnceEvenIfAlsoListedAsPciDevice() throws XlConfigException {
        VmDefinition both = GAMING.toBuilder().pciDevices(List.of("0000:01:00.0", "0000:01:00.1")).build();
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1"),
                strings(XlConfigParser.parse(XlConfigExporter.export(both)), "pci"));
    }

    @Test
    void anHvmGuestRunsOutOfIdeNames() {
        List<Disk> five = List.of("a", "b", "c", "d", "e").stream()
                .map(n -> new Disk("/srv/" + n + ".img", "raw", false, false, null)).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> XlConfigExporter.export(GAMING.toBuilder().disks(five).build()));
        assertEquals("an HVM guest has four IDE devices (hda to hdd) to give out; give disk /srv/e.img a vdev"
                + " such as xvde", e.getMessage());
    }

    @Test
    void whatXlCannotCarryIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> XlConfigExporter.export(GAMING.toBuilder().name(null).build()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> XlConfigExporter.export(
                GAMING.toBuilder().nics(List.of(new Nic("br0,model=e1000", null))).build()));
        assertEquals("bridge 'br0,model=e1000' cannot be written for xl", e.getMessage());
    }

    @Test
    void theWindows11ProfileIsWrittenWithViridianBootTabletClockAndNicModel() throws Exception {
        VmDefinition win11 = OsProfile.WIN11.applyTo(GAMING);
        String cfg = XlConfigExporter.export(win11);
        XlConfig config = XlConfigParser.parse(cfg);
        assertEquals(List.of("base", "freq", "time_ref_count", "reference_tsc", "hcall_remote_tlb_flush", "apic_assist", "crash_ctl",
                "synic", "stimer", "hcall_ipi"), strings(config, "viridian"));
        assertEquals("dc", config.get("boot").orElseThrow().string());
        assertEquals(true, config.get("usb").orElseThrow().flag());
        assertEquals(List.of("tablet"), strings(config, "usbdevice"));
        assertEquals(true, config.get("localtime").orElseThrow().flag());
        assertEquals("ahci", config.get("hdtype").orElseThrow().string());
        assertEquals("stdvga", config.get("vga").orElseThrow().string());
        assertEquals(List.of("model=e1000,bridge=xenbr0,mac=00:16:3e:5a:01:02"), strings(config, "vif"));
        assertTrue(cfg.contains("# Not representable for xl: a TPM 2.0 (swtpm) and UEFI Secure Boot.\n"), cfg);

        // Back in, the Xen-side settings come back the same; the TPM and Secure Boot have no xl key.
        XlImportResult again = XlConfigImporter.importText(cfg);
        VmDefinition back = again.definition();
        assertEquals(win11.hyperv(), back.hyperv());
        assertEquals(win11.boot(), back.boot());
        assertEquals(true, back.usbTablet());
        assertEquals(true, back.rtcLocalTime());
        assertEquals(win11.nics(), back.nics());
        assertEquals(DiskBus.SATA, back.disks().get(0).bus(), "hdtype = ahci puts the hdX disks on SATA");
        assertEquals(List.of(), again.unsupported());
    }

    @Test
    void aVirtioDiskAndNicOfAnHvmGuestAreXensPvDeviceAlone() throws Exception {
        VmDefinition linux = OsProfile.LINUX.applyTo(GAMING);
        XlConfig config = XlConfigParser.parse(XlConfigExporter.export(linux));
        assertEquals(List.of("format=qcow2,vdev=xvda,access=rw,target=/srv/vm/win10.qcow2",
                "format=raw,vdev=hda,devtype=cdrom,access=ro,target=/srv/iso/win10.iso"), strings(config, "disk"));
        assertEquals(List.of("type=vif,bridge=xenbr0,mac=00:16:3e:5a:01:02"), strings(config, "vif"));
        VmDefinition back = XlConfigImporter.importText(XlConfigExporter.export(linux)).definition();
        assertEquals(DiskBus.VIRTIO, back.disks().get(0).bus());
        assertEquals(NicModel.VIRTIO, back.nics().get(0).model());
    }

    /** A NIC on one of polydeskd's networks is written on that network's bridge, which polydeskd reads back. */
    @Test
    void aNicOnANetworkIsWrittenOnItsBridge() throws Exception {
        VmDefinition onNetwork = GAMING.toBuilder()
                .nics(List.of(new Nic(null, "00:16:3e:5a:01:02", null, "lab", null, null))).build();
        assertEquals(List.of("bridge=pd-lab,mac=00:16:3e:5a:01:02"),
                strings(XlConfigParser.parse(XlConfigExporter.export(onNetwork)), "vif"));
    }

    @Test
    void anEmptyCdDriveIsWrittenAsXlsEmptyCdromAndReadBackAsOne() throws Exception {
        VmDefinition def = VmDefinition.builder().name("installer")
                .disks(List.of(new Disk(null, null, true, null, "hdc"))).build();
        String text = XlConfigExporter.export(def);
        assertEquals(List.of("format=empty,vdev=hdc,devtype=cdrom,access=ro,target="),
                strings(XlConfigParser.parse(text), "disk"));
        Disk back = XlConfigImporter.importText(text).definition().disks().get(0);
        assertTrue(back.empty(), back.toString());
    }
}
