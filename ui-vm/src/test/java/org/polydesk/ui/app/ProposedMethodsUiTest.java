package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.testsupport.PolydeskdProcess;

/**
 * The UI paths behind methods polydeskd does not have yet, against a stand-in that answers them in
 * the shapes the module README proposes: the xl.cfg import, a new disk image, the GPU and hotkeys
 * pages once their methods answer.
 */
class ProposedMethodsUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;
    FakePolydeskd fake;

    @AfterEach
    void close() throws Exception {
        if (ui != null) {
            ui.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    /** Starts the stand-in and the UI against it. */
    private void open() throws Exception {
        PolydeskdProcess notUsed = PolydeskdProcess.notStarted(tmp);
        Files.createDirectories(notUsed.runDir());
        fake = new FakePolydeskd(notUsed.socket());
        ui = new UiFixture(notUsed).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
    }

    @Test
    void importedDefinitionFillsTheFormAndTheLeftOutKeysAreListed() throws Exception {
        open();
        ObjectNode answer = Json.mapper().createObjectNode();
        ObjectNode def = answer.putObject("definition");
        def.put("name", "debian").put("memoryMib", 2048).put("vcpus", 2).put("type", "hvm").put("firmware", "uefi");
        def.putArray("disks").addObject().put("path", "/srv/debian.qcow2").put("format", "qcow2");
        def.putArray("nics").addObject().put("bridge", "xenbr1").put("mac", "00:16:3e:00:00:01");
        answer.putArray("unsupported").addObject().put("key", "cpus").put("line", 4).put("reason", "CPU pinning is not kept");
        answer.putArray("notes");
        fake.answer("xlcfg.parse", answer);

        Path cfg = tmp.resolve("debian.cfg");
        String text = "name = \"debian\"\nmemory = 2048\nvcpus = 2\ncpus = \"2-3\"\n";
        Files.writeString(cfg, text);
        UiFixture.fx(() -> {
            ui.window.importXlConfig(cfg);
            return null;
        });

        ui.awaitText("#form-title", "New VM", 10);
        assertEquals(text, fake.lastParams.get("xlcfg.parse").get("text").asText(), "the file's text went to polydeskd");
        assertEquals("debian", ui.text("#name"));
        assertEquals("2048", ui.text("#memory"));
        assertEquals("2", ui.text("#vcpus"));
        assertEquals("/srv/debian.qcow2", ui.text("#disk-path"));
        assertEquals("xenbr1", ui.text("#bridge"));
        assertEquals("uefi", UiFixture.fx(() -> ((javafx.scene.control.ComboBox<?>) ui.robot.lookup("#firmware").query()).getValue()));
        String remarks = ui.text("#import-remarks");
        assertTrue(remarks.startsWith("Imported from " + cfg + "."), remarks);
        assertTrue(remarks.contains("Left out line 4: cpus: CPU pinning is not kept"), remarks);
    }

    @Test
    void aNewImageIsMadeByPolydeskdAndTheVmGetsItsPath() throws Exception {
        open();
        fake.answer("disk.create", Json.mapper().createObjectNode().put("path", "/var/lib/polydesk/images/win-11.qcow2"));
        ObjectNode status = Json.mapper().createObjectNode();
        status.putObject("definition").put("id", "6f1c2f4e-1111-4222-8333-944455556666").put("name", "Win 11").put("slot", 1);
        status.put("state", "stopped");
        fake.answer("vm.create", status);

        ui.robot.clickOn("#new-vm");
        ui.type("#name", "Win 11");
        ui.robot.clickOn("#disk-new");
        ui.type("#disk-size", "40");
        ui.robot.clickOn("#submit");
        ui.await("the form closing", 10, () -> !ui.visible("#vm-form"), () -> ui.text("#disk-error"));
        assertEquals("{\"name\":\"win-11\",\"sizeGib\":40,\"format\":\"qcow2\"}", fake.lastParams.get("disk.create").toString());
        var disk = fake.lastParams.get("vm.create").path("definition").path("disks").path(0);
        assertEquals("/var/lib/polydesk/images/win-11.qcow2", disk.path("path").asText());
        assertEquals("qcow2", disk.path("format").asText());
    }

    @Test
    void gpuPageListsTheDevicesAndGivesTheGpuToAVm() throws Exception {
        open();
        ObjectNode gpu = Json.mapper().createObjectNode().put("address", "0000:01:00.0").put("vendor", "NVIDIA Corporation")
                .put("device", "GA106 [GeForce RTX 3060]").put("iommuGroup", 14).put("driver", "vfio-pci");
        fake.answer("gpu.list", Json.mapper().createArrayNode().add(gpu));
        fake.answer("gpu.assign", Json.mapper().createObjectNode());
        ui.robot.clickOn("#nav-gpu");
        ui.await("the device row", 10, () -> ui.robot.lookup("GA106 [GeForce RTX 3060]").tryQuery().isPresent(),
                () -> ui.text("#gpu-status"));
        assertEquals("", ui.text("#gpu-status"));
        ui.robot.clickOn("GA106 [GeForce RTX 3060]");
        ui.robot.clickOn("#gpu-owner");
        ui.robot.clickOn("(nobody: dom0 keeps it)");
        ui.robot.clickOn("#gpu-assign");
        ui.await("gpu.assign", 10, () -> fake.lastParams.containsKey("gpu.assign"), () -> ui.text("#notice-text"));
        assertEquals("{\"gpu\":\"0000:01:00.0\",\"vm\":null}", fake.lastParams.get("gpu.assign").toString());
    }

    @Test
    void hotkeysPageListsTheChords() throws Exception {
        open();
        ObjectNode config = Json.mapper().createObjectNode();
        config.putArray("hotkeys").addObject().put("action", "slot:1").put("chord", "Ctrl+Alt+F1");
        fake.answer("input.config.get", config);
        ui.robot.clickOn("#nav-hotkeys");
        ui.await("the chord", 10, () -> ui.robot.lookup("Ctrl+Alt+F1").tryQuery().isPresent(), () -> ui.text("#hotkeys-status"));
        assertEquals("", ui.text("#hotkeys-status"));
    }
}
