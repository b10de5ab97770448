package org.polydesk.toolstack.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Display;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.OsProfile;
import org.polydesk.protocol.vm.SoundCard;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.VmRuntimeDir;

class QemuCommandLineTest {
    private static final UUID ID = UUID.fromString("6f1b8c44-2f7e-4a55-9d40-0b8e2d9f0a11");
    private static final VmRuntimeDir DIR = VmRuntimeDir.of(Path.of("/run/polydesk"), ID);

    private static List<String> args(VmDefinition def) {
        return args(def, List.of());
    }

    private static final QemuCommandLine.UefiFlash FLASH = new QemuCommandLine.UefiFlash(
            Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"), Path.of("/var/lib/polydesk/vms/" + ID + "/efivars.fd"));

    private static List<String> args(VmDefinition def, List<String> gpuFunctions) {
        return args(def, gpuFunctions, "tcg");
    }

    private static List<String> args(VmDefinition def, List<String> gpuFunctions, String accel) {
        return QemuCommandLine.build("qemu-system-x86_64", accel, FLASH, def, gpuFunctions, DIR);
    }

    /** The value that follows {@code option}, or fails if the option appears other than once with it. */
    private static List<String> values(List<String> args, String option) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(option)) {
                out.add(args.get(i + 1));
            }
        }
        return out;
    }

    @Test
    void theSocketsOfTheDesignAreServed() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Win, 11").slot(3).memoryMib(4096).vcpus(4)
                .display(new Display(1920, 1080)).build();
        List<String> a = args(def);
        String dir = "/run/polydesk/vm/" + ID;
        assertEquals(List.of("unix:" + dir + "/vnc.sock"), values(a, "-vnc"));
        assertEquals(List.of("unix:" + dir + "/qmp.sock,server=on,wait=off", "unix:" + dir + "/monitor.sock,server=on,wait=off"),
                values(a, "-qmp"));
        assertEquals(List.of("guest=Win,, 11,process=polydesk-vm3"), values(a, "-name"), "commas are escaped");
        assertEquals(List.of("4096M"), values(a, "-m"));
        assertEquals(List.of("4"), values(a, "-smp"));
        assertEquals(List.of(ID.toString()), values(a, "-uuid"));
        assertEquals(List.of("VGA,xres=1920,yres=1080", "qemu-xhci,id=xhci,p2=8,p3=8", "intel-hda",
                "hda-duplex,audiodev=sound,mixer=off"), values(a, "-device"), "an xHCI for the host's USB devices, HD Audio by default");
        assertEquals(List.of("none,id=sound"), values(a, "-audiodev"), "silent without a sound server");
        assertEquals(List.of("chardev:console"), values(a, "-serial"), "no viewer port without a GPU");
        assertEquals(List.of(), values(a, "-object"), "nor a region for a viewer");
        assertTrue(a.contains("-nodefaults"));
    }

    @Test
    void theSoundCardPlaysIntoDom0sSoundServerAsAStreamNamedAfterTheVm() {
        VmDefinition hda = VmDefinition.builder().id(ID).name("Win, 11").slot(3).build();
        List<String> a = QemuCommandLine.build("qemu-system-x86_64", "tcg", FLASH, hda, List.of(), DIR,
                Path.of("/run/polydesk-sound/pulse/native"));
        assertEquals(List.of("pa,id=sound,server=unix:/run/polydesk-sound/pulse/native,out.stream-name=Win,, 11,"
                + "in.stream-name=Win,, 11"), values(a, "-audiodev"), "commas in the name are escaped");
        assertTrue(values(a, "-device").contains("hda-duplex,audiodev=sound,mixer=off"),
                "the guest's own mixer is off: it cannot undo dom0's policy");
        List<String> ac97 = QemuCommandLine.build("qemu-system-x86_64", "tcg", FLASH,
                hda.toBuilder().sound(SoundCard.AC97).build(), List.of(), DIR, null);
        assertTrue(values(ac97, "-device").contains("AC97,audiodev=sound"), ac97.toString());
        List<String> none = args(hda.toBuilder().sound(SoundCard.NONE).build());
        assertEquals(List.of(), values(none, "-audiodev"));
        assertTrue(values(none, "-device").stream().noneMatch(d -> d.contains("hda") || d.contains("AC97")), none.toString());
    }

    @Test
    void aPassthroughVmGetsTheViewerPortAsSecondSerialAndItsDevices() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Gaming").slot(1).firmware(Firmware.UEFI)
                .gpu("0000:01:00.0").pciDevices(List.of("01:00.1", "0000:03:00.0"))
                .disks(List.of(new Disk("/srv/win.qcow2", "qcow2", false, false, null),
                        new Disk("/srv/a,b.iso", null, true, null, null),
                        new Disk("/srv/old.vhd", "vhd", false, true, null)))
                .nics(List.of(new Nic("xenbr0", "00:16:3e:00:00:01")))
                .build();
        List<String> a = args(def, List.of("0000:01:00.0", "0000:01:00.1"));
        assertEquals(List.of("chardev:console", "chardev:viewer"), values(a, "-serial"));
        assertTrue(values(a, "-chardev").contains("socket,id=viewer,path=/run/polydesk/vm/" + ID + "/viewer.sock,server=on,wait=off"));
        assertEquals(List.of("if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                "if=pflash,format=raw,unit=1,file=/var/lib/polydesk/vms/" + ID + "/efivars.fd",
                "file=/srv/win.qcow2,if=none,id=drive-disk0,format=qcow2",
                "file=/srv/a,,b.iso,if=none,id=drive-disk1,media=cdrom,format=raw,readonly=on",
                "file=/srv/old.vhd,if=none,id=drive-disk2,format=vpc,readonly=on"), values(a, "-drive"),
                "UEFI from flash with the VM's own variables; disks on the q35's AHCI, the default for HVM");
        List<String> devices = values(a, "-device");
        assertEquals(List.of("memory-backend-file,id=viewer-region,share=on,size=128M,mem-path=/run/polydesk/vm/" + ID
                + "/viewer-region"), values(a, "-object"), "the viewer's region: a shared file dom0 maps too");
        assertEquals(List.of("VGA,xres=1024,yres=768", "ivshmem-plain,memdev=viewer-region", "qemu-xhci,id=xhci,p2=8,p3=8",
                "intel-hda", "hda-duplex,audiodev=sound,mixer=off", "ide-hd,bus=ide.0,drive=drive-disk0,id=disk0", "ide-cd,bus=ide.1,drive=drive-disk1,id=disk1",
                "ide-hd,bus=ide.2,drive=drive-disk2,id=disk2",
                "e1000,netdev=net0,mac=00:16:3e:00:00:01", "vfio-pci,host=0000:01:00.0", "vfio-pci,host=0000:01:00.1", "vfio-pci,host=0000:03:00.0"), devices,
                "the GPU's card comes first, whole, and a function listed again is not added twice");
        assertEquals(List.of("bridge,id=net0,br=xenbr0"), values(a, "-netdev"));
        assertEquals(List.of(), values(a, "-bios"));
        assertEquals(List.of("q35"), values(a, "-machine"), "no SMM without Secure Boot");
    }

    @Test
    void directKernelBootPassesKernelInitrdAndCommandLine() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Linux").slot(2).kernel("/boot/vmlinuz")
                .ramdisk("/boot/initrd.img").cmdline("console=ttyS0 quiet").build();
        List<String> a = args(def);
        assertEquals(List.of("/boot/vmlinuz"), values(a, "-kernel"));
        assertEquals(List.of("/boot/initrd.img"), values(a, "-initrd"));
        assertEquals(List.of("console=ttyS0 quiet"), values(a, "-append"));
        assertFalse(a.contains("-bios"));
        assertEquals(Collections.emptyList(), values(a, "-drive"));
    }

    private static VmDefinition windows11() {
        VmDefinition base = VmDefinition.builder().id(ID).name("Win11").slot(1)
                .disks(List.of(new Disk("/srv/win11.qcow2", "qcow2", false, false, null),
                        new Disk("/srv/Win11.iso", null, true, null, null)))
                .nics(List.of(new Nic("xenbr0", "00:16:3e:00:00:01")))
                .build();
        return OsProfile.WIN11.applyTo(base);
    }

    @Test
    void theWindows11ProfileCarriesHypervFlagsOnKvm() {
        List<String> a = args(windows11(), List.of(), "kvm");
        assertEquals(List.of("host,hv-relaxed,hv-vapic,hv-spinlocks=0x1fff,hv-vpindex,hv-runtime,hv-frequencies,hv-time,"
                + "hv-tlbflush,hv-crash,hv-synic,hv-stimer,hv-ipi"), values(a, "-cpu"));
    }

    @Test
    void onTcgTheHypervFlagsAreLeftOutBecauseTcgRefusesThem() {
        assertEquals(List.of(), values(args(windows11()), "-cpu"));
    }

    @Test
    void theWindows11ProfileGivesSecureBootTpmTabletLocalTimeAndCdFirst() {
        List<String> a = args(windows11());
        assertEquals(List.of("q35,smm=on"), values(a, "-machine"));
        assertEquals(List.of("driver=cfi.pflash01,property=secure,value=on"), values(a, "-global"));
        assertEquals(List.of("base=localtime"), values(a, "-rtc"));
        assertEquals(List.of("emulator,id=tpm0,chardev=swtpm"), values(a, "-tpmdev"));
        assertTrue(values(a, "-chardev").contains("socket,id=swtpm,path=/run/polydesk/vm/" + ID + "/swtpm.sock"));
        List<String> devices = values(a, "-device");
        assertTrue(devices.containsAll(List.of("tpm-crb,tpmdev=tpm0", "qemu-xhci,id=xhci,p2=8,p3=8", "usb-tablet,bus=xhci.0")), devices.toString());
        assertTrue(devices.contains("ide-cd,bus=ide.1,drive=drive-disk1,id=disk1,bootindex=0"), "the CD boots first: " + devices);
        assertTrue(devices.contains("ide-hd,bus=ide.0,drive=drive-disk0,id=disk0,bootindex=4"), "the SATA disk next: " + devices);
        assertTrue(devices.contains("e1000,netdev=net0,mac=00:16:3e:00:00:01"), "network is not in the boot order: " + devices);
    }

    @Test
    void theLinuxProfileUsesVirtioForDiskAndNetworkAndAChosenModelIsKept() {
        VmDefinition linux = OsProfile.LINUX.applyTo(windows11());
        List<String> devices = values(args(linux), "-device");
        assertTrue(devices.contains("virtio-blk-pci,drive=drive-disk0,id=disk0,bootindex=4"), devices.toString());
        assertTrue(devices.contains("virtio-net-pci,netdev=net0,mac=00:16:3e:00:00:01"), devices.toString());
        assertFalse(devices.contains("tpm-crb,tpmdev=tpm0"));
        VmDefinition rtl = linux.toBuilder().nics(List.of(new Nic("xenbr0", null, NicModel.RTL8139))).build();
        assertTrue(values(args(rtl), "-device").contains("rtl8139,netdev=net0"));
    }

    @Test
    void anEmptyCdDriveIsADriveWithoutAMediumNamedForItsChanges() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Installer").slot(2)
                .disks(List.of(new Disk("/srv/disk.raw", null, false, false, null), new Disk(null, null, true, null, "hdc")))
                .build();
        assertEquals(List.of("file=/srv/disk.raw,if=none,id=drive-disk0,format=raw", "if=none,id=drive-disk1,media=cdrom,readonly=on"),
                values(args(def), "-drive"));
    }
}
