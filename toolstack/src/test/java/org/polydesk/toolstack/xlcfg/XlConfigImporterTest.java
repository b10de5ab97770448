package org.polydesk.toolstack.xlcfg;

import org.polydesk.protocol.toolstack.ImportRemark;
import org.polydesk.protocol.toolstack.XlImportResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Display;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.SoundCard;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.VmDefinition;

class XlConfigImporterTest {

    static String resource(String name) throws IOException {
        try (InputStream in = XlConfigImporterTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static XlImportResult importResource(String name) throws Exception {
        return XlConfigImporter.importText(resource(name));
    }

    private static List<String> keys(List<ImportRemark> remarks) {
        return remarks.stream().map(ImportRemark::key).toList();
    }

    private static ImportRemark remark(List<ImportRemark> remarks, String key) {
        return remarks.stream().filter(r -> r.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no remark on " + key + " in " + remarks));
    }

    @Test
    void windowsGuestKeepsItsDisksNicAndGpu() throws Exception {
        VmDefinition expected = VmDefinition.builder()
                .id(UUID.fromString("5f0e8a5e-2b1c-4a0e-9d6b-3c2f1e0a7b91"))
                .name("win10")
                .memoryMib(8192)
                .vcpus(4)
                .type(GuestType.HVM)
                .firmware(Firmware.UEFI)
                .disks(List.of(
                        new Disk("/dev/vg0/win10", "raw", false, false, "hda"),
                        new Disk("/srv/vm/win10-data.qcow2", "qcow2", false, false, "hdb"),
                        new Disk("/srv/iso/Win10_22H2_English_x64.iso", "raw", true, true, "hdc")))
                .nics(List.of(new Nic("xenbr0", "00:16:3e:5a:01:02", NicModel.E1000)))
                .gpu("0000:01:00.0")
                .pciDevices(List.of("0000:01:00.1"))
                .hyperv(HypervFeature.XL_DEFAULTS)
                .boot(List.of(BootDevice.CDROM, BootDevice.DISK))
                .rtcLocalTime(true)
                .usbTablet(true)
                .build();
        XlImportResult result = importResource("windows-hvm.cfg");
        assertEquals(expected, result.definition());
        // Polydesk's own fields are the caller's to assign.
        assertNull(result.definition().slot());
        assertEquals(VmDefinition.DEFAULT_COLOUR, result.definition().colour());
        assertEquals(Display.DEFAULT, result.definition().display());
        assertEquals(false, result.definition().autostart());
    }

    @Test
    void windowsGuestNamesEveryKeyItDoesNotKeep() throws Exception {
        XlImportResult result = importResource("windows-hvm.cfg");
        // viridian, localtime, boot, the vif's type and model, vga, usb and usbdevice are kept now.
        assertEquals(List.of("disk[1].backendtype", "pci[1].permissive", "on_crash"), keys(result.unsupported()));
        assertEquals(20, remark(result.unsupported(), "disk[1].backendtype").line());
        assertEquals(27, remark(result.unsupported(), "pci[1].permissive").line());
        assertEquals(41, remark(result.unsupported(), "on_crash").line());
    }

    @Test
    void harmlessKeysAreLeftOutWithANoteAndDoNotRefuseTheFile() throws Exception {
        XlImportResult result = importResource("windows-hvm.cfg");
        assertEquals(List.of("gfx_passthru", "videoram", "vnc", "vnclisten", "serial"), keys(result.notes()),
                "sdl = 0 is xl's default and needs no note");
        assertTrue(remark(result.notes(), "vnc").reason().startsWith("left out (harmless): ignored: Polydesk sets up the VM's display"));
        assertTrue(remark(result.notes(), "serial").reason().contains("viewer channel"));
        XlImportResult onlyHarmless = XlConfigImporter.importText("name = 'w'\ntype = 'hvm'\nmemory = 2048\nacpi = 1\nhpet = 0\n"
                + "serial = 'pty'\nvnc = 1\ntimer_mode = 1\non_watchdog = 'restart'\n");
        assertEquals(List.of(), onlyHarmless.unsupported(), "nothing a guest relies on is lost, so nothing refuses it");
        assertEquals(List.of("hpet", "serial", "vnc", "timer_mode", "on_watchdog"), keys(onlyHarmless.notes()));
    }

    @Test
    void viridianBootUsbdeviceLocaltimeAndVgaEachMap() throws Exception {
        VmDefinition def = XlConfigImporter.importText("name = 'w'\ntype = 'hvm'\n"
                + "viridian = [ 'defaults', 'stimer', 'synic', '!crash_ctl' ]\nboot = 'nd'\nusbdevice = 'tablet'\n"
                + "localtime = 1\nvga = 'stdvga'\nvif = [ 'bridge=br0,model=rtl8139' ]\n").definition();
        assertEquals(List.of(HypervFeature.BASE, HypervFeature.FREQ, HypervFeature.TIME_REF_COUNT, HypervFeature.APIC_ASSIST,
                HypervFeature.SYNIC, HypervFeature.STIMER), def.hyperv());
        assertEquals(List.of(BootDevice.NETWORK, BootDevice.CDROM), def.boot());
        assertTrue(def.usbTablet());
        assertTrue(def.rtcLocalTime());
        assertEquals(NicModel.RTL8139, def.nics().get(0).model());
        assertEquals(List.of(HypervFeature.BASE, HypervFeature.FREQ, HypervFeature.TIME_REF_COUNT, HypervFeature.APIC_ASSIST,
                HypervFeature.CRASH_CTL), XlConfigImporter.importText("name='w'\ntype='hvm'\nviridian=1\n").definition().hyperv());
        assertEquals(List.of(), XlConfigImporter.importText("name='w'\ntype='hvm'\nviridian=0\n").definition().hyperv());
        assertEquals(SoundCard.AC97, XlConfigImporter.importText("name='w'\ntype='hvm'\nsoundhw='ac97'\n").definition().sound());
        assertEquals(SoundCard.HDA, XlConfigImporter.importText("name='w'\ntype='hvm'\nsoundhw='hda'\n").definition().sound());
        XlImportResult sb16 = XlConfigImporter.importText("name='w'\ntype='hvm'\nsoundhw='sb16'\n");
        assertTrue(remark(sb16.unsupported(), "soundhw").reason().contains("hda and ac97, not 'sb16'"), sb16.toString());
        XlImportResult cirrus = XlConfigImporter.importText("name='w'\ntype='hvm'\nvga='cirrus'\nusbdevice=['tablet','mouse']\n");
        assertTrue(remark(cirrus.notes(), "vga").reason().contains("becomes the standard VGA"));
        assertTrue(remark(cirrus.unsupported(), "usbdevice").reason().contains("'mouse' is not kept"));
        // xl's USB passthrough: a device by its ids becomes a rule; by bus and address it cannot be kept.
        XlImportResult usb = XlConfigImporter.importText("name='w'\ntype='hvm'\nusbctrl=['version=3,ports=4']\n"
                + "usbdev=['hostbus=2, hostaddr=3']\nusbdevice=['tablet','host:0781:5567','host:2.4']\n");
        assertEquals(List.of("0781:5567"), usb.usbRules().stream().map(r -> r.vendorProduct()).toList());
        assertTrue(usb.definition().usbTablet());
        assertTrue(remark(usb.notes(), "usbctrl").reason().contains("every Polydesk VM has a USB 3 controller"), usb.toString());
        assertTrue(remark(usb.unsupported(), "usbdev").reason().contains("changes each time it is plugged in"), usb.toString());
        assertTrue(remark(usb.unsupported(), "usbdevice").reason().contains("'host:2.4' names a USB device by bus and address"),
                usb.toString());
        assertTrue(remark(usb.notes(), "usbdevice").reason().contains("0781:5567 becomes a rule"), usb.toString());
        XlConfigException badGroup = assertThrows(XlConfigException.class,
                () -> XlConfigImporter.importText("name='w'\ntype='hvm'\nviridian=['turbo']\n"));
        assertTrue(badGroup.getMessage().contains("viridian group 'turbo' is unknown"), badGroup.getMessage());
        XlConfigException badBoot = assertThrows(XlConfigException.class,
                () -> XlConfigImporter.importText("name='w'\ntype='hvm'\nboot='x'\n"));
        assertTrue(badBoot.getMessage().contains("'x', which is no boot device"), badBoot.getMessage());
        XlImportResult pv = XlConfigImporter.importText("name='p'\ntype='pv'\nkernel='/k'\nviridian=1\n");
        assertEquals(List.of("viridian"), keys(pv.unsupported()));
    }

    @Test
    void windowsGuestNotesWhichDeviceBecameTheGpu() throws Exception {
        XlImportResult result = importResource("windows-hvm.cfg");
        assertEquals("gfx_passthru", result.notes().get(0).key());
        assertEquals("line 28: gfx_passthru: 0000:01:00.0, the first pci device, is taken as the VM's GPU;"
                + " the other pci devices stay passed through", result.notes().get(0).toString());
    }

    @Test
    void pvhGuestBuildsItsCommandLineFromRootAndExtra() throws Exception {
        VmDefinition expected = VmDefinition.builder()
                .name("debian-pvh")
                .memoryMib(2048)
                .vcpus(2)
                .type(GuestType.PVH)
                .kernel("/var/lib/polydesk/boot/vmlinuz-6.1.0-18-amd64")
                .ramdisk("/var/lib/polydesk/boot/initrd.img-6.1.0-18-amd64")
                .cmdline("root=/dev/xvda1 ro console=hvc0 quiet")
                .disks(List.of(new Disk("/srv/vm/debian-pvh.img", "raw", false, false, "xvda")))
                .nics(List.of(new Nic("xenbr0", null)))
                .build();
        XlImportResult result = importResource("pvh-linux.cfg");
        assertEquals(expected, result.definition());
        assertNull(result.definition().id());
        assertEquals(List.of(), result.unsupported());
        assertEquals(List.of(), result.notes());
    }

    @Test
    void pvGuestWithPygrub() throws Exception {
        VmDefinition expected = VmDefinition.builder()
                .id(UUID.fromString("0c4a0f63-94a5-4e4e-8d64-7f4a9d5b1e20"))
                .name("legacy-pv")
                .memoryMib(1024)
                .vcpus(2)
                .type(GuestType.PV)
                .bootloader("pygrub")
                .cmdline("console=hvc0 xencons=tty")
                .disks(List.of(
                        new Disk("/dev/vg0/legacy-root", "raw", false, false, "xvda"),
                        new Disk("/dev/vg0/legacy-swap", "raw", false, false, "xvdb")))
                .nics(List.of(new Nic("br-lan", "00:16:3e:00:00:01")))
                .build();
        XlImportResult result = importResource("pv-pygrub.cfg");
        assertEquals(expected, result.definition());
        assertEquals(List.of("maxmem", "maxvcpus", "vif[0].vifname", "vif[0].rate", "on_crash", "cpus"),
                keys(result.unsupported()));
        assertEquals("line 7: maxmem: maxmem = 2048 differs from memory = 1024; Polydesk gives each VM a fixed"
                + " amount of memory (memory = 1024 is imported)", remark(result.unsupported(), "maxmem").toString());
        assertEquals(List.of("type"), keys(result.notes()));
        assertEquals("no type or builder is given; xl's default, pv, is used", result.notes().get(0).reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"windows-hvm.cfg", "pvh-linux.cfg", "pv-pygrub.cfg"})
    void importExportImportGivesTheSameDefinition(String name) throws Exception {
        XlImportResult first = importResource(name);
        String exported = XlConfigExporter.export(first.definition());
        XlImportResult second = XlConfigImporter.importText(exported);
        assertEquals(first.definition(), second.definition(), exported);
        assertEquals(List.of(), second.unsupported(), exported);
    }

    @Test
    void cmdlineWinsOverRootAndExtraAsInXl() throws Exception {
        XlImportResult result = XlConfigImporter.importText(
                "name = 'a'\ntype = 'pvh'\nmemory = 512\nkernel = '/k'\ncmdline = 'console=hvc0'\nroot = '/dev/xvda1'\nextra = 'quiet'\n");
        assertEquals("console=hvc0", result.definition().cmdline());
        assertEquals(List.of("root", "extra"), keys(result.notes()));
        assertEquals(List.of(), result.unsupported());
    }

    @Test
    void maxmemAloneIsTheMemory() throws Exception {
        XlImportResult result = XlConfigImporter.importText("name = 'a'\ntype = 'hvm'\nmaxmem = 3072\n");
        assertEquals(3072, result.definition().memoryMib());
        assertEquals(List.of(), result.unsupported());
    }

    @Test
    void firmwareNamesUefiOrACustomImage() throws Exception {
        assertEquals(Firmware.UEFI,
                XlConfigImporter.importText("name='a'\ntype='hvm'\nfirmware='uefi'\n").definition().firmware());
        assertEquals(Firmware.UEFI, XlConfigImporter.importText("name='a'\ntype='hvm'\nbios='seabios'\nfirmware='OVMF'\n")
                .definition().firmware());
        XlImportResult custom = XlConfigImporter.importText("name='a'\ntype='hvm'\nfirmware='/opt/fw.bin'\n");
        assertEquals(Firmware.BIOS, custom.definition().firmware());
        assertEquals(List.of("firmware"), keys(custom.unsupported()));
    }

    @Test
    void aKeySetTwiceIsNotedAndTheLastCounts() throws Exception {
        XlImportResult result = XlConfigImporter.importText("name = 'a'\ntype = 'hvm'\nvcpus = 2\nvcpus = 6\nmemory = 512\n");
        assertEquals(6, result.definition().vcpus());
        assertEquals("line 3: vcpus: set again on line 4; xl uses the later value", result.notes().get(0).toString());
    }

    @Test
    void gfxPassthruNeedsAPciDeviceAndAnHvmGuest() throws Exception {
        XlImportResult noDevice = XlConfigImporter.importText("name = 'a'\ntype = 'hvm'\ngfx_passthru = 1\n");
        assertNull(noDevice.definition().gpu());
        assertEquals(List.of("gfx_passthru"), keys(noDevice.unsupported()));
        XlImportResult pvh = XlConfigImporter.importText(
                "name = 'a'\ntype = 'pvh'\nkernel = '/k'\npci = ['01:00.0']\ngfx_passthru = 1\n");
        assertNull(pvh.definition().gpu());
        assertEquals(List.of("0000:01:00.0"), pvh.definition().pciDevices());
        assertEquals(List.of("gfx_passthru"), keys(pvh.unsupported()));
        XlImportResult igd = XlConfigImporter.importText(
                "name = 'a'\ntype = 'hvm'\npci = ['00:02.0']\ngfx_passthru = 'igd'\n");
        assertEquals("0000:00:02.0", igd.definition().gpu());
        assertEquals(List.of("gfx_passthru"), keys(igd.unsupported()));
    }

    @Test
    void entriesPolydeskCannotHoldAreNamedAndLeftOut() throws Exception {
        XlImportResult result = XlConfigImporter.importText("""
                name = "a"
                type = "hvm"
                memory = 4096
                disk = [ "/srv/a.img,raw,hda,w", ",,hdc:cdrom,r" ]
                pci = [ "name=gpu0", "01:00.1" ]
                vif = [ "mac=00:16:3e:00:00:09" ]
                spice = 1
                """);
        assertEquals(List.of(new Disk("/srv/a.img", "raw", false, false, "hda"), new Disk(null, null, true, null, "hdc")),
                result.definition().disks(), "the CD drive without media is an empty drive");
        assertEquals(List.of("0000:01:00.1"), result.definition().pciDevices());
        assertEquals(List.of(new Nic("xenbr0", "00:16:3e:00:00:09")), result.definition().nics());
        assertEquals(List.of("pci[0].name"), keys(result.unsupported()));
        assertEquals(List.of("vif[0]", "spice"), keys(result.notes()), "spice is harmless: Polydesk makes the display");
    }

    @Test
    void valuesXlWouldRefuseStopTheImportWithTheLine() {
        XlConfigException e = assertThrows(XlConfigException.class,
                () -> XlConfigImporter.importText("name = 'a'\nuuid = 'not-a-uuid'\n"));
        assertEquals("line 2: uuid = \"not-a-uuid\" is not a UUID", e.getMessage());
        e = assertThrows(XlConfigException.class,
                () -> XlConfigImporter.importText("type = 'pv'\nbuilder = 'hvm'\n"));
        assertEquals("line 2: builder = \"hvm\" contradicts type = \"pv\"", e.getMessage());
        e = assertThrows(XlConfigException.class,
                () -> XlConfigImporter.importText("name = 'a'\nmemory = [ 1024 ]\n"));
        assertEquals("line 2: memory must be a single value, not a list", e.getMessage());
        e = assertThrows(XlConfigException.class,
                () -> XlConfigImporter.importText("name = 'a'\n\ndisk = 'phy:/dev/sda,xvda,w'\n"));
        assertEquals("line 3: disk must be a list [ ... ], not a single value", e.getMessage());
    }

    @Test
    void syntaxErrorsReachTheCallerWithLineAndColumn() {
        XlSyntaxException e = assertThrows(XlSyntaxException.class,
                () -> XlConfigImporter.importText("name = 'a'\nvcpus = 2\nmemory == 4\n"));
        assertEquals(3, e.line());
        assertEquals(9, e.column());
    }
}
