package org.polydesk.toolstack.gpu;

import org.polydesk.testsupport.SysfsTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reset steps beyond FLR, on a sysfs tree: which run, in which order, with which config-space writes. */
class PciResetTest {
    private static final String BRIDGE = "0000:00:01.0";
    private static final String GPU = "0000:01:00.0";
    private static final String AUDIO = "0000:01:00.1";
    /** The saved header written back from 0x3c down to 0x04; only the BAR at 0x10 and the command register are set. */
    private static final List<String> RESTORE_GPU = restore(GPU);

    @TempDir
    Path tmp;
    SysfsTree tree;
    SimulatedKernel kernel;
    final List<String> steps = new ArrayList<>();

    @BeforeEach
    void host() throws IOException {
        tree = new SysfsTree(tmp.resolve("sys"));
        tree.function(BRIDGE, null, 0x060400, 0x8086, 0x1901, "pcieport")
                .function(GPU, BRIDGE, 0x030000, 0x1002, 0x73bf, "pciback")
                .function(AUDIO, BRIDGE, 0x040300, 0x1002, 0xab28, "pciback")
                .reset(GPU, "flr bus");
        kernel = new SimulatedKernel(tree);
    }

    private PciReset.Outcome reset(String address) throws IOException {
        return new PciReset(kernel, steps::add).reset(address);
    }

    private static List<String> restore(String address) {
        List<String> out = new ArrayList<>();
        for (int off = 0x3c; off >= 4; off -= 4) {
            String v = off == 0x10 ? "0ce00000" : off == 4 ? "07000000" : "00000000";
            out.add("config " + address + " @0x" + Integer.toHexString(off) + " <- " + v);
        }
        return out;
    }

    @Test
    void aCardAloneBehindItsBridgeGetsTheKernelsResetAndABusResetThatCoversItsAudioToo() throws Exception {
        assertEquals(PciReset.Outcome.RESET, reset(GPU));

        List<String> expected = new ArrayList<>(List.of(
                "bus/pci/devices/" + GPU + "/reset <- 1",
                "config " + BRIDGE + " @0x3e <- 4000",
                "pause 2 ms",
                "config " + BRIDGE + " @0x3e <- 0000",
                "pause 1000 ms"));
        expected.addAll(RESTORE_GPU);
        expected.addAll(restore(AUDIO));
        assertEquals(expected, kernel.takeLog(), "the bridge's Secondary Bus Reset bit set, held, cleared; both functions restored");
        assertTrue(steps.get(0).contains("step 1, kernel reset (reset_method: flr bus)"), steps.toString());
        assertTrue(steps.contains(GPU + ": step 2, secondary bus reset through " + BRIDGE + " (resets [" + GPU + ", " + AUDIO + "])"),
                steps.toString());
        assertEquals(0x0c, Files.readAllBytes(tree.pciDevice(GPU).resolve("config"))[0x10], "the BAR is back");
    }

    @Test
    void noBusResetWhileSomethingOfDom0sSitsBehindTheSameBridge() throws Exception {
        tree.function("0000:01:00.2", BRIDGE, 0x0c0330, 0x1002, 0x1234, "xhci_hcd");

        assertEquals(PciReset.Outcome.RESET, reset(GPU), "the kernel's reset still ran");
        assertEquals(List.of("bus/pci/devices/" + GPU + "/reset <- 1"), kernel.takeLog());
        assertTrue(steps.contains(GPU + ": step 2, secondary bus reset through " + BRIDGE + ": skipped, 0000:01:00.2 behind it is "
                + "not ours (dom0's driver xhci_hcd holds it)"), steps.toString());
    }

    @Test
    void withoutAKernelResetOrABridgeD3hotToD0ResetsIt() throws Exception {
        tree.function("0000:00:02.0", null, 0x030000, 0x8086, 0x3e92, "pciback").pmCapability("0000:00:02.0", false);

        assertEquals(PciReset.Outcome.RESET, reset("0000:00:02.0"));

        List<String> expected = new ArrayList<>(List.of(
                "config 0000:00:02.0 @0x44 <- 0300",
                "pause 10 ms",
                "config 0000:00:02.0 @0x44 <- 0000",
                "pause 10 ms"));
        for (String w : restore("0000:00:02.0")) {
            // the PM capability's header bits: status has the capability list, the pointer is 0x40
            expected.add(w.replace("@0x4 <- 07000000", "@0x4 <- 07001000").replace("@0x34 <- 00000000", "@0x34 <- 40000000"));
        }
        assertEquals(expected, kernel.takeLog());
        assertEquals(List.of(
                "0000:00:02.0: step 1, kernel reset: the kernel offers none",
                "0000:00:02.0: step 2, secondary bus reset: skipped, it is on a root bus (no bridge above it)",
                "0000:00:02.0: step 3, D3hot→D0 through the PM capability at 0x40",
                "0000:00:02.0: step 3 done"), steps);
    }

    @Test
    void aDeviceThatKeepsItsStateOverD3hotCannotBeResetThatWay() throws Exception {
        tree.function("0000:00:02.0", null, 0x030000, 0x8086, 0x3e92, "pciback").pmCapability("0000:00:02.0", true);

        assertEquals(PciReset.Outcome.FAILED, reset("0000:00:02.0"), "libxl falls back to its own reset");
        assertEquals(List.of(), kernel.takeLog());
        assertTrue(steps.contains("0000:00:02.0: step 3, D3hot→D0: skipped, it keeps its state over D3hot (No_Soft_Reset)"));
    }

    @Test
    void aKernelResetThatFailsIsLoggedAndTheNextStepsStillRun() throws Exception {
        kernel.failOn.add("bus/pci/devices/" + GPU + "/reset <- 1");

        assertEquals(PciReset.Outcome.RESET, reset(GPU));
        assertTrue(steps.contains(GPU + ": step 1 failed: Input/output error"), steps.toString());
        assertTrue(steps.contains(GPU + ": step 2 done"), steps.toString());
    }

    @Test
    void devicesThatAreNotAGpusFreeFunctionAreLeftToLibxl() throws Exception {
        tree.function("0000:02:00.0", null, 0x020000, 0x8086, 0x15b8, "pciback")
                .function("0000:03:00.0", null, 0x030000, 0x10de, 0x2484, "nouveau");

        assertEquals(PciReset.Outcome.NOT_OURS, reset("0000:02:00.0"));
        assertEquals(PciReset.Outcome.NOT_OURS, reset("0000:03:00.0"));
        assertEquals(List.of(), kernel.takeLog(), "nothing is touched");
        assertEquals(List.of("0000:02:00.0: not ours (no display function on its card); leaving it to libxl's reset",
                "0000:03:00.0: not ours (dom0's driver nouveau holds it); leaving it to libxl's reset"), steps);
    }
}
