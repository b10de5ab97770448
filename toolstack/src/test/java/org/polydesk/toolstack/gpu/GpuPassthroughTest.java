package org.polydesk.toolstack.gpu;

import org.polydesk.testsupport.SysfsTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Taking a GPU from dom0 and giving it back, on a sysfs tree, write by write. */
class GpuPassthroughTest {
    private static final UUID VM = UUID.fromString("5e0c3a52-6f43-4b8e-9d1b-0c2f6a7e8d91");
    private static final String GPU = "0000:01:00.0";
    private static final String AUDIO = "0000:01:00.1";

    @TempDir
    Path tmp;
    SysfsTree tree;
    private static final String SECOND = "0000:00:05.0";
    SimulatedKernel kernel;
    HandoverStore store;

    @BeforeEach
    void host() throws IOException {
        tree = new SysfsTree(tmp.resolve("sys"));
        tree.function("0000:00:01.0", null, 0x060400, 0x8086, 0x1901, "pcieport")
                .function(GPU, "0000:00:01.0", 0x030000, 0x10de, 0x2484, "nouveau")
                .function(AUDIO, "0000:00:01.0", 0x040300, 0x10de, 0x228b, "snd_hda_intel")
                .function("0000:02:00.0", null, 0x020000, 0x8086, 0x15b8, "e1000e")
                .bootVga(GPU, false)
                .pciDriver("pciback");
        kernel = new SimulatedKernel(tree);
        store = new HandoverStore(tmp.resolve("run/gpu"));
    }

    private GpuPassthrough xen() {
        return new GpuPassthrough(kernel, new SysfsPci(kernel.pciDevices(), PciIds.load(tmp.resolve("none"))), store,
                GpuPassthrough.Target.PCIBACK, a -> kernel.log.add("release " + a), screenUsers());
    }

    /** Whoever draws on dom0's screen, noted in the kernel's log, so the order shows. */
    private ConsoleUsers screenUsers() {
        return new ConsoleUsers() {
            @Override
            public void leaving(UUID vm, String gpu) {
                kernel.log.add("screen users let go: " + gpu);
            }

            @Override
            public void back(UUID vm, String gpu) {
                kernel.log.add("screen users told it is back: " + gpu);
            }
        };
    }

    private GpuPassthrough qemu() {
        return new GpuPassthrough(kernel, new SysfsPci(kernel.pciDevices(), PciIds.load(tmp.resolve("none"))), store,
                GpuPassthrough.Target.VFIO, a -> kernel.log.add("release " + a), screenUsers());
    }

    @Test
    void onXenEveryFunctionOfTheCardGoesToPcibackAsXlDoesItAndBackToItsOwnDriver() throws Exception {
        Handover h = xen().take(VM, GPU);

        assertEquals(List.of(
                "bus/pci/drivers/nouveau/unbind <- " + GPU,
                "bus/pci/drivers/pciback/new_slot <- " + GPU,
                "bus/pci/drivers/pciback/bind <- " + GPU,
                "bus/pci/drivers/snd_hda_intel/unbind <- " + AUDIO,
                "bus/pci/drivers/pciback/new_slot <- " + AUDIO,
                "bus/pci/drivers/pciback/bind <- " + AUDIO), kernel.takeLog());
        assertEquals("pciback", tree.driverOf(GPU));
        assertEquals("pciback", tree.driverOf(AUDIO));
        assertEquals("e1000e", tree.driverOf("0000:02:00.0"), "another card is left alone");
        assertEquals(List.of(GPU, AUDIO), h.addresses());
        assertFalse(h.console(), "not the boot GPU: dom0's console stays");
        assertEquals(List.of(new Handover.Function(GPU, "nouveau"), new Handover.Function(AUDIO, "snd_hda_intel")),
                store.all().get(0).functions(), "the original drivers are on disk while the VM runs");

        xen().giveBack(VM);

        assertEquals(List.of(
                "release " + GPU,
                "bus/pci/drivers/pciback/unbind <- " + GPU,
                "bus/pci/drivers/pciback/remove_slot <- " + GPU,
                "bus/pci/drivers/nouveau/bind <- " + GPU,
                "release " + AUDIO,
                "bus/pci/drivers/pciback/unbind <- " + AUDIO,
                "bus/pci/drivers/pciback/remove_slot <- " + AUDIO,
                "bus/pci/drivers/snd_hda_intel/bind <- " + AUDIO), kernel.takeLog());
        assertEquals("nouveau", tree.driverOf(GPU));
        assertEquals("snd_hda_intel", tree.driverOf(AUDIO));
        assertEquals(List.of(), kernel.slots());
        assertEquals(List.of(), store.all(), "nothing is left to give back");
    }

    @Test
    void theBootGpuTakesDom0sConsoleWithItAndBringsItBack() throws Exception {
        tree.bootVga(GPU, true);
        tree.unbind(GPU);
        tree.framebuffer("efi-framebuffer.0", "efi-framebuffer", true)
                .framebuffer("simple-framebuffer.0", "simple-framebuffer", false)
                .vtconsole("vtcon0", "(S) dummy device", false)
                .vtconsole("vtcon1", "(M) frame buffer device", true);

        Handover h = xen().take(VM, GPU);

        assertEquals(List.of(
                "screen users let go: " + GPU,
                "class/vtconsole/vtcon1/bind <- 0",
                "bus/platform/drivers/efi-framebuffer/unbind <- efi-framebuffer.0",
                "bus/pci/drivers/pciback/new_slot <- " + GPU,
                "bus/pci/drivers/pciback/bind <- " + GPU,
                "bus/pci/drivers/snd_hda_intel/unbind <- " + AUDIO,
                "bus/pci/drivers/pciback/new_slot <- " + AUDIO,
                "bus/pci/drivers/pciback/bind <- " + AUDIO), kernel.takeLog(),
                "first whoever draws on it lets go, then the console off the framebuffer, then the framebuffer off the "
                        + "card, then the card");
        assertTrue(h.console());
        assertEquals("0", tree.read("class/vtconsole/vtcon1/bind"));
        assertFalse(tree.framebufferBound("efi-framebuffer.0"));

        xen().giveBack(VM);

        assertEquals(List.of(
                "release " + GPU,
                "bus/pci/drivers/pciback/unbind <- " + GPU,
                "bus/pci/drivers/pciback/remove_slot <- " + GPU,
                "release " + AUDIO,
                "bus/pci/drivers/pciback/unbind <- " + AUDIO,
                "bus/pci/drivers/pciback/remove_slot <- " + AUDIO,
                "bus/pci/drivers/snd_hda_intel/bind <- " + AUDIO,
                "bus/platform/drivers/efi-framebuffer/bind <- efi-framebuffer.0",
                "class/vtconsole/vtcon1/bind <- 1",
                "screen users told it is back: " + GPU), kernel.takeLog());
        assertNull(tree.driverOf(GPU), "it had no driver in dom0, and has none again");
        assertTrue(tree.framebufferBound("efi-framebuffer.0"));
        assertFalse(tree.framebufferBound("simple-framebuffer.0"), "one that was not bound stays so");
        assertEquals("1", tree.read("class/vtconsole/vtcon1/bind"));
        assertEquals("0", tree.read("class/vtconsole/vtcon0/bind"));
    }

    @Test
    void aCardThatIsNotVgaClassButWhoseDriverMadeDom0sFramebufferTakesTheConsoleWithIt() throws Exception {
        // as QEMU's bochs-display (display class 0x0380: no boot_vga) under bochs-drm, dom0's only screen
        tree.function(SECOND, null, 0x038000, 0x1234, 0x1111, "bochs-drm")
                .drmFramebuffer(SECOND, "fb0")
                .vtconsole("vtcon0", "(S) dummy device", false)
                .vtconsole("vtcon1", "(M) frame buffer device", true);

        Handover h = xen().take(VM, SECOND);

        assertEquals(List.of(
                "screen users let go: " + SECOND,
                "class/vtconsole/vtcon1/bind <- 0",
                "bus/pci/drivers/bochs-drm/unbind <- " + SECOND,
                "bus/pci/drivers/pciback/new_slot <- " + SECOND,
                "bus/pci/drivers/pciback/bind <- " + SECOND), kernel.takeLog());
        assertTrue(h.console());

        xen().giveBack(VM);

        assertEquals(List.of(
                "release " + SECOND,
                "bus/pci/drivers/pciback/unbind <- " + SECOND,
                "bus/pci/drivers/pciback/remove_slot <- " + SECOND,
                "bus/pci/drivers/bochs-drm/bind <- " + SECOND,
                "class/vtconsole/vtcon1/bind <- 1",
                "screen users told it is back: " + SECOND), kernel.takeLog());
        assertEquals("bochs-drm", tree.driverOf(SECOND));
    }

    @Test
    void aDaemonThatDiedWhileTheVmRanLeavesARecordTheNextOneGivesBackFrom() throws Exception {
        xen().take(VM, GPU);
        kernel.takeLog();

        GpuPassthrough nextDaemon = xen();
        nextDaemon.recover(Set.of(VM));
        assertEquals(List.of(), kernel.takeLog(), "the VM still runs: its GPU stays with it");
        assertEquals("pciback", tree.driverOf(GPU));

        nextDaemon.recover(Set.of());
        assertEquals("nouveau", tree.driverOf(GPU));
        assertEquals("snd_hda_intel", tree.driverOf(AUDIO));
        assertEquals(List.of(), store.all());
    }

    @Test
    void aDaemonThatDiedHalfWayThroughGivingBackIsFinishedByTheNext() throws Exception {
        xen().take(VM, GPU);
        kernel.failOn.add("bus/pci/drivers/snd_hda_intel/bind <- " + AUDIO);

        IOException e = assertThrows(IOException.class, () -> xen().giveBack(VM));
        assertTrue(e.getMessage().contains(AUDIO + ": bind to snd_hda_intel again failed"), e.getMessage());
        assertEquals("nouveau", tree.driverOf(GPU));
        assertNull(tree.driverOf(AUDIO));
        assertTrue(Files.exists(store.fileOf(VM)), "the record stays for the next try");

        kernel.failOn.clear();
        kernel.takeLog();
        xen().recover(Set.of());
        assertEquals(List.of("release " + GPU, "release " + AUDIO, "bus/pci/drivers/snd_hda_intel/bind <- " + AUDIO),
                kernel.takeLog(), "what is done already is not done again");
        assertEquals("snd_hda_intel", tree.driverOf(AUDIO));
        assertFalse(Files.exists(store.fileOf(VM)));
    }

    @Test
    void aCardNotYetBackFromTheLastRunIsNotTakenAgainOverItsRecord() throws Exception {
        xen().take(VM, GPU);
        kernel.failOn.add("bus/pci/drivers/nouveau/bind <- " + GPU);
        assertThrows(IOException.class, () -> xen().giveBack(VM));

        IOException e = assertThrows(IOException.class, () -> xen().take(VM, GPU));
        assertTrue(e.getMessage().contains("is not fully back with dom0"), e.getMessage());
        assertEquals(new Handover.Function(GPU, "nouveau"), store.all().get(0).functions().get(0),
                "the record still knows nouveau had it");

        kernel.failOn.clear();
        xen().take(VM, GPU);
        assertEquals(new Handover.Function(GPU, "nouveau"), store.all().get(0).functions().get(0));
        assertEquals("pciback", tree.driverOf(GPU));
    }

    @Test
    void aTakeThatFailsHalfWayGivesBackWhatItTook() throws Exception {
        kernel.failOn.add("bus/pci/drivers/pciback/bind <- " + AUDIO);

        IOException e = assertThrows(IOException.class, () -> xen().take(VM, GPU));
        assertTrue(e.getMessage().contains(AUDIO + ": bind to pciback failed"), e.getMessage());
        assertEquals("nouveau", tree.driverOf(GPU));
        assertEquals("snd_hda_intel", tree.driverOf(AUDIO));
        assertEquals(List.of(), kernel.slots());
        assertEquals(List.of(), store.all());
    }

    @Test
    void forQemuVfioPciTakesTheCardThroughDriverOverrideAndLetsGo() throws Exception {
        tree.iommuGroup("0000:00:01.0", 1).iommuGroup(GPU, 1).iommuGroup(AUDIO, 1).pciDriver("vfio-pci");

        qemu().take(VM, GPU);

        assertEquals(List.of(
                "bus/pci/devices/" + GPU + "/driver_override <- vfio-pci",
                "bus/pci/drivers/nouveau/unbind <- " + GPU,
                "bus/pci/drivers/vfio-pci/bind <- " + GPU,
                "bus/pci/devices/" + AUDIO + "/driver_override <- vfio-pci",
                "bus/pci/drivers/snd_hda_intel/unbind <- " + AUDIO,
                "bus/pci/drivers/vfio-pci/bind <- " + AUDIO), kernel.takeLog(),
                "the bridge in the group stays with its driver");
        assertEquals("vfio-pci", tree.driverOf(GPU));

        qemu().giveBack(VM);

        assertEquals(List.of(
                "bus/pci/drivers/vfio-pci/unbind <- " + GPU,
                "bus/pci/devices/" + GPU + "/driver_override <- ",
                "bus/pci/drivers/nouveau/bind <- " + GPU,
                "bus/pci/drivers/vfio-pci/unbind <- " + AUDIO,
                "bus/pci/devices/" + AUDIO + "/driver_override <- ",
                "bus/pci/drivers/snd_hda_intel/bind <- " + AUDIO), kernel.takeLog(), "no quarantine to end without Xen");
        assertEquals("nouveau", tree.driverOf(GPU));
        assertEquals("(null)", tree.read("bus/pci/devices/" + GPU + "/driver_override"));
    }

    @Test
    void aFunctionPcibackHadBeforeStaysWithPciback() throws Exception {
        tree.unbind(AUDIO);
        tree.bind(AUDIO, "pciback"); // hidden from dom0 at boot (xen-pciback.hide)

        xen().take(VM, GPU);
        assertEquals(List.of(
                "bus/pci/drivers/nouveau/unbind <- " + GPU,
                "bus/pci/drivers/pciback/new_slot <- " + GPU,
                "bus/pci/drivers/pciback/bind <- " + GPU), kernel.takeLog());
        xen().giveBack(VM);
        assertEquals(List.of(
                "release " + GPU,
                "bus/pci/drivers/pciback/unbind <- " + GPU,
                "bus/pci/drivers/pciback/remove_slot <- " + GPU,
                "bus/pci/drivers/nouveau/bind <- " + GPU), kernel.takeLog());
        assertEquals("pciback", tree.driverOf(AUDIO));
    }

    @Test
    void vfioRefusesACardWithoutIommuOrSharingItsGroupWithADeviceDom0Uses() throws Exception {
        tree.pciDriver("vfio-pci");
        IOException none = assertThrows(IOException.class, () -> qemu().take(VM, GPU));
        assertTrue(none.getMessage().contains("in no IOMMU group: enable the IOMMU"), none.getMessage());

        tree.iommuGroup(GPU, 1).iommuGroup(AUDIO, 1).iommuGroup("0000:02:00.0", 1);
        IOException shared = assertThrows(IOException.class, () -> qemu().take(VM, GPU));
        assertTrue(shared.getMessage().contains("shares IOMMU group 1 with 0000:02:00.0 (driver e1000e)"), shared.getMessage());

        assertEquals(List.of(), kernel.takeLog(), "refused before the first write");
        assertEquals(List.of(), store.all());
        assertEquals("nouveau", tree.driverOf(GPU));
    }

    @Test
    void withoutPcibackOrWithoutTheDeviceTheRefusalSaysWhatToDo() throws Exception {
        IOException absent = assertThrows(IOException.class, () -> xen().take(VM, "0000:05:00.0"));
        assertEquals("there is no display device at 0000:05:00.0 on this host", absent.getMessage());
        IOException notLoaded = assertThrows(IOException.class, () -> qemu().take(VM, GPU));
        assertEquals("the vfio-pci driver is not loaded (modprobe vfio-pci)", notLoaded.getMessage());
        assertEquals(List.of(), kernel.takeLog());
    }
}
