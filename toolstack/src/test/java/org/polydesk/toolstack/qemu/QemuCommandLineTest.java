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
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.VmRuntimeDir;

class QemuCommandLineTest {
    private static final UUID ID = UUID.fromString("6f1b8c44-2f7e-4a55-9d40-0b8e2d9f0a11");
    private static final VmRuntimeDir DIR = VmRuntimeDir.of(Path.of("/run/polydesk"), ID);

    private static List<String> args(VmDefinition def) {
        return args(def, List.of());
    }

    private static List<String> args(VmDefinition def, List<String> gpuFunctions) {
        return QemuCommandLine.build("qemu-system-x86_64", "tcg", Path.of("/usr/share/ovmf/OVMF.fd"), def, gpuFunctions, DIR);
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
        assertEquals(List.of("VGA,xres=1920,yres=1080"), values(a, "-device"));
        assertEquals(List.of("chardev:console"), values(a, "-serial"), "no viewer port without a GPU");
        assertEquals(List.of(), values(a, "-object"), "nor a region for a viewer");
        assertTrue(a.contains("-nodefaults"));
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
        assertEquals(List.of("file=/srv/win.qcow2,if=ide,format=qcow2",
                "file=/srv/a,,b.iso,media=cdrom,if=ide,id=cd1,format=raw,readonly=on",
                "file=/srv/old.vhd,if=ide,format=vpc,readonly=on"), values(a, "-drive"));
        List<String> devices = values(a, "-device");
        assertEquals(List.of("memory-backend-file,id=viewer-region,share=on,size=128M,mem-path=/run/polydesk/vm/" + ID
                + "/viewer-region"), values(a, "-object"), "the viewer's region: a shared file dom0 maps too");
        assertEquals(List.of("VGA,xres=1024,yres=768", "ivshmem-plain,memdev=viewer-region",
                "e1000,netdev=net0,mac=00:16:3e:00:00:01", "vfio-pci,host=0000:01:00.0", "vfio-pci,host=0000:01:00.1", "vfio-pci,host=0000:03:00.0"), devices,
                "the GPU's card comes first, whole, and a function listed again is not added twice");
        assertEquals(List.of("bridge,id=net0,br=xenbr0"), values(a, "-netdev"));
        assertEquals(List.of("/usr/share/ovmf/OVMF.fd"), values(a, "-bios"));
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

    @Test
    void anEmptyCdDriveIsADriveWithoutAMediumNamedForItsChanges() {
        VmDefinition def = VmDefinition.builder().id(ID).name("Installer").slot(2)
                .disks(List.of(new Disk("/srv/disk.raw", null, false, false, null), new Disk(null, null, true, null, "hdc")))
                .build();
        assertEquals(List.of("file=/srv/disk.raw,if=ide,format=raw", "media=cdrom,if=ide,id=cd1,readonly=on"),
                values(args(def), "-drive"));
    }
}
