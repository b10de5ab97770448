package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.Json;
import java.util.List;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.testsupport.SysfsTree;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.PolydeskdProcess;

/**
 * What the UI shows when polydeskd is not there, goes away and comes back, and the pages whose
 * polydeskd methods do not exist yet. No VM is started here, so no QEMU runs.
 */
class ConnectionAndPagesUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;

    @AfterEach
    void closeUi() throws Exception {
        if (ui != null) {
            ui.close();
        }
    }

    @Test
    void bannerWhilePolydeskdIsGoneAndReconnectWhenItReturns() throws Exception {
        ui = new UiFixture(PolydeskdProcess.notStarted(tmp)).open();
        ui.awaitTextContaining("#banner", "polydeskd is gone", 10);
        assertTrue(ui.text("#banner").contains("polydeskd is not running"), ui.text("#banner"));

        ui.daemon.restart();
        ui.await("the banner going away", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.rpc(ToolstackApi.VM_CREATE, definition("Made by polyctl", 4));
        ui.awaitCell("Made by polyctl", "col-state", "stopped", 10);
        assertEquals("4", ui.cell("Made by polyctl", "col-slot"));

        // polydeskd dies: the banner says so, and a request made meanwhile shows why it failed.
        ui.daemon.kill();
        ui.awaitTextContaining("#banner", "polydeskd is gone", 10);
        ui.selectRow("Made by polyctl");
        ui.robot.clickOn("#start");
        ui.awaitTextContaining("#notice-text", "Could not start 'Made by polyctl': polydeskd is not reachable", 10);
        assertEquals("stopped", ui.cell("Made by polyctl", "col-state"), "the row did not pretend it started");

        // It comes back with a VM created while the UI was not looking: the list is read again.
        ui.daemon.restart();
        ui.await("the banner going away", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.rpc(ToolstackApi.VM_CREATE, definition("Second", 5));
        ui.awaitCell("Second", "col-slot", "5", 10);
        assertEquals("stopped", ui.cell("Made by polyctl", "col-state"));
        assertTrue(ui.log().stream().anyMatch(l -> l.contains("! polydeskd is gone")), ui.log().toString());
    }

    @Test
    void pagesShowWhatPolydeskdAnswersAndOfferNothingElse() throws Exception {
        ui = new UiFixture(PolydeskdProcess.start(tmp, "--sysfs", tmp.resolve("no-sys").toString())).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));

        ui.robot.clickOn("#nav-host");
        ui.awaitText("#host-hypervisor", "QEMU (no Xen on this machine)", 10);
        assertEquals(String.valueOf(Runtime.getRuntime().availableProcessors()), ui.text("#host-cpus"));
        assertTrue(ui.text("#host-memory").matches("[0-9,]+ MiB, [0-9,]+ MiB free"), ui.text("#host-memory"));
        assertEquals("0 defined, 0 running", ui.text("#host-vms"));
        assertEquals("1, 2, 3, 4, 5, 6, 7, 8, 9", ui.text("#host-free-slots"));
        // No button without the server behind it: this polydeskd (no --power-command) does not control the power.
        assertFalse(ui.visible("#host-shutdown") || ui.visible("#host-reboot"), "no power buttons here");

        ui.robot.clickOn("#nav-gpu");
        // polydeskd reads an empty PCI tree here (the test's --sysfs): nothing to pass through.
        ui.awaitText("#gpu-status", "This machine has no display device that can be passed through.", 10);
        assertTrue(ui.fx(() -> ui.robot.lookup("#gpu-assign").query().isDisabled()), "nothing to assign with");

        // The hotkeys page says why it has nothing to edit: input-server does not run here.
        ui.robot.clickOn("#nav-hotkeys");
        ui.awaitTextContaining("#hotkeys-status", "The hotkeys could not be read: ", 10);
        assertTrue(ui.text("#hotkeys-status").contains("input-server is not running"), ui.text("#hotkeys-status"));
        assertFalse(ui.visible("#hotkeys-save"), "nothing to save");

        // A new image: polydeskd's disk.create makes it, and the VM is created with it as its disk.
        ui.robot.clickOn("#nav-vms");
        ui.robot.clickOn("#new-vm");
        ui.type("#name", "Windows 11");
        ui.robot.clickOn("#disk-new");
        ui.type("#disk-size", "40");
        ui.robot.clickOn("#submit");
        ui.await("the form closing", 20, () -> !ui.visible("#vm-form"), () -> ui.text("#disk-error"));
        VmStatus win = ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Windows 11"));
        String image = win.definition().disks().get(0).path();
        assertEquals(tmp.resolve("images").resolve("windows-11.qcow2").toString(), image);
        assertTrue(Files.exists(Path.of(image)), "the image exists");
        ui.robot.clickOn("#new-vm");
        ui.type("#name", "Second");

        // Two broken rules at once, each beside its own field: a taken slot, a relative image path.
        ui.rpc(ToolstackApi.VM_CREATE, definition("First", 2));
        ui.robot.clickOn("#disk-file");
        ui.type("#disk-path", "images/win11.qcow2");
        ui.robot.clickOn("#slot");
        ui.robot.clickOn("2");
        ui.robot.clickOn("#submit");
        ui.awaitText("#slot-error", "slot 2 is already used by 'First'", 10);
        assertEquals("disk 1 path 'images/win11.qcow2' must be absolute", ui.text("#disk-error"));
        assertEquals("", ui.text("#general-error"));
        ui.robot.clickOn("#cancel");
        ui.awaitCell("First", "col-slot", "2", 10);

        // Import: polydeskd's xlcfg.parse reads the file, the form opens filled in, nothing is created yet.
        Path cfg = tmp.resolve("debian.cfg");
        Files.writeString(cfg, "name = \"debian\"\nmemory = 512\n");
        int before = ui.rpc(ToolstackApi.VM_LIST, null).size();
        ui.fx(() -> {
            ui.window.importXlConfig(cfg);
            return null;
        });
        ui.await("the imported form", 10, () -> ui.visible("#vm-form"), () -> ui.text("#notice-text"));
        assertEquals("debian", ui.text("#name"));
        assertEquals("512", ui.text("#memory"));
        assertEquals(before, ui.rpc(ToolstackApi.VM_LIST, null).size(), "importing alone creates nothing");
    }

    @Test
    void gpuPageListsTheHostsDisplayDevicesAndGivesOneToAVm() throws Exception {
        SysfsTree sys = new SysfsTree(tmp.resolve("sys"))
                .function("0000:00:02.0", null, 0x030000, 0x8086, 0x3e92, "i915").bootVga("0000:00:02.0", true)
                .iommuGroup("0000:00:02.0", 1)
                .function("0000:01:00.0", null, 0x030000, 0x10de, 0x2484, "nouveau").bootVga("0000:01:00.0", false)
                .iommuGroup("0000:01:00.0", 14)
                .function("0000:01:00.1", null, 0x040300, 0x10de, 0x228b, "snd_hda_intel").iommuGroup("0000:01:00.1", 14);
        Path ids = tmp.resolve("pci.ids");
        Files.writeString(ids, "10de  NVIDIA Corporation\n\t2484  GA104 [GeForce RTX 3070]\n"
                + "8086  Intel Corporation\n\t3e92  CoffeeLake-S GT2 [UHD Graphics 630]\n");
        ui = new UiFixture(PolydeskdProcess.start(tmp, "--sysfs", sys.root.toString(), "--pci-ids", ids.toString())).open();
        ui.rpc(ToolstackApi.VM_CREATE, definition("Windows", 2));
        ui.awaitCell("Windows", "col-state", "stopped", 15);

        ui.robot.clickOn("#nav-gpu");
        ui.await("the devices polydeskd read from sysfs", 10,
                () -> ui.robot.lookup("GA104 [GeForce RTX 3070]").tryQuery().isPresent(), () -> ui.text("#gpu-status"));
        assertEquals("", ui.text("#gpu-status"));
        ui.robot.clickOn("GA104 [GeForce RTX 3070]");
        ui.robot.clickOn("#gpu-owner");
        ui.robot.clickOn("Windows");
        ui.robot.clickOn("#gpu-assign");
        ui.await("polydeskd giving the card to Windows", 10, () -> {
            try {
                return "0000:01:00.0".equals(ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Windows")).definition().gpu());
            } catch (Exception e) {
                return false;
            }
        }, () -> ui.text("#notice-text"));
        ui.await("the owner in the table", 10, () -> ui.robot.lookup("Windows").queryAll().size() > 1, () -> ui.text("#gpu-status"));
    }

    @Test
    void editShowsTheDefinitionAndSavesTheChange() throws Exception {
        ui = new UiFixture(PolydeskdProcess.start(tmp)).open();
        ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name("Web").slot(3).memoryMib(256)
                .disks(List.of(new Disk("/srv/web.qcow2", "qcow2", false, false, null))).build()));
        ui.awaitCell("Web", "col-memory", "256 MiB", 15);

        ui.selectRow("Web");
        ui.robot.clickOn("#edit-vm");
        ui.awaitText("#form-title", "Edit 'Web'", 5);
        assertEquals("Web", ui.text("#name"));
        assertEquals("256", ui.text("#memory"));
        assertEquals("/srv/web.qcow2", ui.text("#disk-path"));
        assertEquals("Save changes", ui.text("#submit"));

        ui.type("#memory", "512");
        ui.type("#vcpus", "2");
        ui.type("#colour", "#123456");
        ui.robot.clickOn("#submit");
        ui.awaitCell("Web", "col-memory", "512 MiB", 10);
        assertEquals("2", ui.cell("Web", "col-vcpus"));
        assertEquals("#123456", ui.cell("Web", "col-colour"));
        assertFalse(ui.visible("#vm-form"));
        VmDefinition stored = ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Web")).definition();
        assertEquals("/srv/web.qcow2", stored.disks().get(0).path(), "the disk was kept");
        assertEquals("qcow2", stored.disks().get(0).format());
        assertEquals(3, stored.slot());
    }

    static ToolstackApi.VmCreate definition(String name, int slot) {
        return new ToolstackApi.VmCreate(VmDefinition.builder().name(name).slot(slot).memoryMib(256).build());
    }
}
