package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.testsupport.SysfsTree;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.testsupport.TestGuest;

/**
 * gpu.list and gpu.assign against a real polydeskd reading a sysfs tree built like a host's with an
 * Intel iGPU (the boot VGA) and an NVIDIA card with its HDMI audio function.
 */
class GpuApiTest {
    @TempDir
    Path tmp;
    DaemonFixture fixture;

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
        fixture = new DaemonFixture(tmp, "--sysfs", tmp.resolve("sys").toString(), "--pci-ids", ids.toString());
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private JsonNode call(String method, JsonNode params) throws Exception {
        try (RpcClient c = RpcClient.connect(fixture.socket())) {
            return c.callRaw(method, params);
        }
    }

    private static ObjectNode assign(String gpu, String vm) {
        ObjectNode p = Json.mapper().createObjectNode().put("gpu", gpu);
        return vm == null ? p.putNull("vm") : p.put("vm", vm);
    }

    private void create(String name, int slot) throws Exception {
        ObjectNode p = Json.mapper().createObjectNode();
        p.putObject("definition").put("name", name).put("slot", slot).put("memoryMib", 256)
                .put("kernel", TestGuest.kernel().toString()).put("ramdisk", TestGuest.initrd().toString())
                .put("cmdline", TestGuest.cmdline("202020"));
        call(ToolstackApi.VM_CREATE.name(), p);
    }

    @Test
    void listsTheDisplayDevicesWithTheirCardsOtherFunctionsGroupsAndDrivers() throws Exception {
        JsonNode gpus = call(ToolstackApi.GPU_LIST.name(), null);
        assertEquals(2, gpus.size(), gpus.toString());
        JsonNode intel = gpus.get(0);
        assertEquals("0000:00:02.0", intel.path("address").asText());
        assertEquals("Intel Corporation", intel.path("vendor").asText());
        assertEquals("CoffeeLake-S GT2 [UHD Graphics 630]", intel.path("device").asText());
        assertTrue(intel.path("bootVga").asBoolean(), "the iGPU drives dom0's console");
        assertEquals(0, intel.path("otherFunctions").size(), "the PCH's audio is another slot, not the iGPU's");
        JsonNode nvidia = gpus.get(1);
        assertEquals("0000:01:00.0", nvidia.path("address").asText());
        assertEquals("NVIDIA Corporation", nvidia.path("vendor").asText());
        assertEquals("GA104 [GeForce RTX 3070]", nvidia.path("device").asText());
        assertEquals(14, nvidia.path("iommuGroup").asInt());
        assertEquals("nouveau", nvidia.path("driver").asText());
        assertEquals("0000:01:00.1", nvidia.path("otherFunctions").get(0).asText());
        assertFalse(nvidia.has("owner"));

        PolyctlRunner.Run polyctl = new PolyctlRunner(fixture.socket()).run("gpu", "list");
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
        JsonNode given = call(ToolstackApi.GPU_ASSIGN.name(), assign("01:00.0", "Windows"));
        assertEquals("0000:01:00.0", given.path("definition").path("gpu").asText());
        assertEquals("Windows", call(ToolstackApi.GPU_LIST.name(), null).get(1).path("ownerName").asText());

        RpcClient.CallException taken = assertThrows(RpcClient.CallException.class,
                () -> call(ToolstackApi.GPU_ASSIGN.name(), assign("0000:01:00.0", "Linux")));
        assertEquals(ErrorCode.INVALID_DEFINITION, taken.errorCode());
        assertTrue(taken.getMessage().contains("assigned to 'Windows'"), taken.getMessage());

        call(ToolstackApi.GPU_ASSIGN.name(), assign("0000:01:00.0", null));
        assertFalse(call(ToolstackApi.GPU_LIST.name(), null).get(1).has("owner"), "given back to dom0");
        assertEquals("Linux", call(ToolstackApi.GPU_ASSIGN.name(), assign("0000:01:00.0", "Linux")).path("definition").path("name").asText());
    }

    @Test
    void onlyDisplayDevicesOfThisHostAndOnlyStoppedVms() throws Exception {
        create("Windows", 1);
        for (String bad : new String[] {"0000:01:00.1", "0000:03:00.0", "01:00", "x"}) {
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                    () -> call(ToolstackApi.GPU_ASSIGN.name(), assign(bad, "Windows")));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode(), bad + ": " + e.getMessage());
        }
        call(ToolstackApi.VM_START.name(), Json.mapper().createObjectNode().put("vm", "Windows"));
        try {
            RpcClient.CallException running = assertThrows(RpcClient.CallException.class,
                    () -> call(ToolstackApi.GPU_ASSIGN.name(), assign("0000:01:00.0", "Windows")));
            assertEquals(ErrorCode.WRONG_STATE, running.errorCode());
            assertTrue(running.getMessage().contains("stop 'Windows' first"), running.getMessage());
        } finally {
            call(ToolstackApi.VM_DESTROY.name(), Json.mapper().createObjectNode().put("vm", "Windows"));
        }
    }
}
