package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.testsupport.SysfsTree;

/**
 * {@code polyctl gpu reset}, what libxl's reset hook runs, with the real sysfs writer on a tree:
 * its exit codes are the hook's contract with libxl (0 reset, 2 not ours, else libxl's own reset).
 */
class GpuResetCommandTest {
    @TempDir
    Path tmp;

    @Test
    void exitCodesTellLibxlWhetherToResetTheDeviceItself() throws Exception {
        SysfsTree tree = new SysfsTree(tmp.resolve("sys"));
        tree.function("0000:00:02.0", null, 0x030000, 0x8086, 0x3e92, "pciback").pmCapability("0000:00:02.0", false)
                .function("0000:00:03.0", null, 0x020000, 0x8086, 0x15b8, "pciback");
        PolyctlRunner polyctl = new PolyctlRunner(tmp.resolve("no-daemon.sock"));
        String sys = "--sysfs=" + tree.root;

        PolyctlRunner.Run igd = polyctl.run("gpu", "reset", sys, "00:02.0");
        assertEquals(0, igd.exit(), igd.err());
        assertTrue(igd.err().contains("pci-reset 0000:00:02.0: step 3, D3hot→D0 through the PM capability at 0x40"), igd.err());
        assertEquals(0, Files.readAllBytes(tree.pciDevice("0000:00:02.0").resolve("config"))[0x44],
                "the real writer left the device in D0");

        PolyctlRunner.Run nic = polyctl.run("gpu", "reset", sys, "0000:00:03.0");
        assertEquals(2, nic.exit(), nic.err());
        assertTrue(nic.err().contains("not ours (no display function on its card)"), nic.err());

        assertEquals(1, polyctl.run("gpu", "reset", sys, "0000:00:09.0").exit(), "no such device: libxl tries itself");
        PolyctlRunner.Run bad = polyctl.run("gpu", "reset", sys, "zz");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("BDF must be a PCI address like 0000:01:00.0, not 'zz'"), bad.err());
    }
}
