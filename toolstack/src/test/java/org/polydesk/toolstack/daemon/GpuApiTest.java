package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.ToolstackApi.GpuAssign;
import org.polydesk.protocol.toolstack.ToolstackApi.GpuDevice;
import org.polydesk.protocol.toolstack.ToolstackApi.VmRef;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.SysfsTree;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.cli.PolyctlRunner;

/**
 * gpu.list and gpu.assign against a real polydeskd reading a sysfs tree built like a host's with an
 * Intel iGPU (the boot VGA) and an NVIDIA card with its HDMI audio function.
 */
class GpuApiTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;

    @BeforeEach
    void start() throws Exception {
        new SysfsTree(tmp.resolve("sys"))
                .function("0000:00:02.0", null, 0x030000, 0x8086, 0x3e92, "i915").bootVga("0000:00:02.0", true)
                .iommuGroup("0000:00:02.0", 1)
                .function("0000:00:1f.3", null, 0x040300, 0x8086, 0xa348, "snd_hda_intel").iommuGroup("0000:00:1f.3", 12)
                .function("0000:01:00.0", null, 0x030000, 0x10de, 0x2484, "nouveau").bootVga("0000:01:00.0", false)
                .iommuGroup("0000:01:00.0", 14)
                .function("0000:01:00.1", null, 0x040300, 0x10de, 0x228b, "snd_hda_intel").iommuGroup("0000:01:00.1", 14)
                .function("0000:02:00.0", null, 0x020000, 0x8086, 0x15b8, null).iommuGroup("0000:02:00.0", 15);
        Path ids = tmp.resolve("pci.ids");
        Files.writeString(ids, "# pci.ids excerpt\n10de  NVIDIA Corporation\n\t2484  GA104 [GeForce RTX 3070]\n"
                + "\t\t1043 87b8  a subsystem line\n8086  Intel Corporation\n\t3e92  CoffeeLake-S GT2 [UHD Graphics 630]\n"
                + "C 03  Display controller\n");
        polydeskd = TestPolydeskd.start(tmp, "--sysfs", tmp.resolve("sys").toString(), "--pci-ids", ids.toString());
    }

    @AfterEach
    void stop() {
        polydeskd.close();
    }

    private void create(String name, int slot) throws Exception {
        polydeskd.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name(name).slot(slot)
                .memoryMib(256).kernel(TestGuest.kernel().toString()).ramdisk(TestGuest.initrd().toString())
                .cmdline(TestGuest.cmdline("202020")).build()));
    }

    @Test
    void listsTheDisplayDevicesWithTheirCardsOtherFunctionsGroupsAndDrivers() throws Exception {
        List<GpuDevice> gpus = polydeskd.call(ToolstackApi.GPU_LIST);
        assertEquals(2, gpus.size(), gpus.toString());
        GpuDevice intel = gpus.get(0);
        assertEquals("0000:00:02.0", intel.address());
        assertEquals("Intel Corporation", intel.vendor());
        assertEquals("CoffeeLake-S GT2 [UHD Graphics 630]", intel.device());
        assertTrue(intel.bootVga(), "the iGPU drives dom0's console");
        assertEquals(List.of(), intel.otherFunctions(), "the PCH's audio is another slot, not the iGPU's");
        GpuDevice nvidia = gpus.get(1);
        assertEquals("0000:01:00.0", nvidia.address());
        assertEquals("NVIDIA Corporation", nvidia.vendor());
        assertEquals("GA104 [GeForce RTX 3070]", nvidia.device());
        assertEquals(14, nvidia.iommuGroup());
        assertEquals("nouveau", nvidia.driver());
        assertEquals(List.of("0000:01:00.1"), nvidia.otherFunctions());
        assertNull(nvidia.owner());

        PolyctlRunner.Run polyctl = new PolyctlRunner(polydeskd.socket()).run("gpu", "list");
        assertEquals(0, polyctl.exit(), polyctl.err());
        assertEquals(List.of(
                "0000:00:02.0  Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630]  driver i915  dom0's console",
                "0000:01:00.0  NVIDIA Corporation GA104 [GeForce RTX 3070]  driver nouveau  with 0000:01:00.1"),
                polyctl.out().lines().toList());
    }

    @Test
    void oneOwnerAtATimeAndTheSecondIsToldWhoHasIt() throws Exception {
        create("Windows", 1);
        create("Linux", 2);
        assertEquals("0000:01:00.0", polydeskd.call(ToolstackApi.GPU_ASSIGN, new GpuAssign("01:00.0", "Windows"))
                .definition().gpu());
        assertEquals("Windows", polydeskd.call(ToolstackApi.GPU_LIST).get(1).ownerName());

        RpcClient.CallException taken = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.GPU_ASSIGN, new GpuAssign("0000:01:00.0", "Linux")));
        assertEquals(ErrorCode.INVALID_DEFINITION, taken.errorCode());
        assertTrue(taken.getMessage().contains("assigned to 'Windows'"), taken.getMessage());

        polydeskd.call(ToolstackApi.GPU_ASSIGN, new GpuAssign("0000:01:00.0", null));
        assertNull(polydeskd.call(ToolstackApi.GPU_LIST).get(1).owner(), "given back to dom0");
        assertEquals("Linux", polydeskd.call(ToolstackApi.GPU_ASSIGN, new GpuAssign("0000:01:00.0", "Linux")).definition().name());
    }

    @Test
    void onlyDisplayDevicesOfThisHostAndOnlyStoppedVms() throws Exception {
        create("Windows", 1);
        for (String bad : new String[] {"0000:01:00.1", "0000:03:00.0", "01:00", "x"}) {
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                    () -> polydeskd.call(ToolstackApi.GPU_ASSIGN, new GpuAssign(bad, "Windows")));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode(), bad + ": " + e.getMessage());
        }
        polydeskd.call(ToolstackApi.VM_START, new VmRef("Windows"));
        try {
            RpcClient.CallException running = assertThrows(RpcClient.CallException.class,
                    () -> polydeskd.call(ToolstackApi.GPU_ASSIGN, new GpuAssign("0000:01:00.0", "Windows")));
            assertEquals(ErrorCode.WRONG_STATE, running.errorCode());
            assertTrue(running.getMessage().contains("stop 'Windows' first"), running.getMessage());
        } finally {
            polydeskd.call(ToolstackApi.VM_DESTROY, new VmRef("Windows"));
        }
    }
}
