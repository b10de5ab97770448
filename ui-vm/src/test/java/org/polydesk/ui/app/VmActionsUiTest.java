package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Button;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.toolstack.daemon.TestPolydeskd;
import org.polydesk.ui.media.MediaChooser;

/**
 * The VM list's lifecycle actions against a real polydeskd (a child JVM; the stub backend stands in
 * for QEMU, whose side QemuLifecycleActionsTest shows): pause and resume, a CD from the media
 * library inserted and ejected, reboot, suspend to disk and start again from it. Each button is
 * offered only in the states its method accepts, and an action under way takes no second click.
 */
class VmActionsUiTest {
    private static final String VM = "Work";

    @TempDir
    Path tmp;
    UiFixture ui;

    @AfterEach
    void closeUi() throws Exception {
        if (ui != null) {
            ui.close();
        }
    }

    private boolean enabled(String id) {
        return UiFixture.fx(() -> !ui.robot.lookup(id).queryAs(Button.class).isDisabled());
    }

    private VmState state() throws Exception {
        return ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(VM)).state();
    }

    @Test
    void pauseResumeCdRebootSuspendAndStartAgain() throws Exception {
        Path root = tmp.resolve("daemon");
        Path media = Files.createDirectories(root.resolve("media"));
        Files.write(media.resolve("rescue.iso"), new byte[64 * 1024]);
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, root, "--stub-backend")).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name(VM).slot(1).memoryMib(256)
                .disks(List.of(new Disk(null, null, true, null, null))).build()));
        ui.awaitCell(VM, "col-state", "stopped", 10);
        ui.selectRow(VM);
        for (String id : List.of("#pause", "#resume", "#reboot", "#suspend", "#insert-cd", "#eject-cd")) {
            assertTrue(!enabled(id), id + " is not offered for a stopped VM");
        }

        ui.robot.clickOn("#start");
        ui.awaitCell(VM, "col-state", "running", 20);
        assertTrue(!enabled("#resume"), "a running VM cannot be resumed");

        ui.robot.clickOn("#pause");
        ui.awaitCell(VM, "col-state", "paused", 10);
        assertEquals(VmState.PAUSED, state(), "polydeskd paused it");
        assertTrue(!enabled("#pause") && enabled("#resume"));
        ui.robot.clickOn("#resume");
        ui.awaitCell(VM, "col-state", "running", 10);
        assertEquals(VmState.RUNNING, state());

        // A CD from the media library: the chooser lists what media.list has.
        ui.robot.clickOn("#insert-cd");
        ui.awaitText("#media-chooser .header-panel .label", "Insert a CD into '" + VM + "'", 10);
        ui.robot.clickOn("#media-chooser-ok");
        ui.await("the CD's changed event", 10, () -> ui.log().stream().anyMatch(l -> l.contains("event: " + VM
                + " changed") && l.contains(media.resolve("rescue.iso") + " inserted")), ui::log);
        ui.robot.clickOn("#eject-cd");
        ui.await("the eject's changed event", 10, () -> ui.log().stream().anyMatch(l -> l.contains("ejected")), ui::log);

        // Reboot answers at once: the row says so and takes no second action until the VM runs again.
        ui.robot.clickOn("#reboot");
        ui.awaitCell(VM, "col-state", "running", 30);
        assertTrue(ui.log().stream().anyMatch(l -> l.contains("event: " + VM + " stopping")), ui.log().toString());

        ui.robot.clickOn("#suspend");
        ui.awaitCell(VM, "col-state", "suspended", 30);
        assertEquals(VmState.SUSPENDED, state(), "polydeskd saved it");
        assertTrue(enabled("#start") && !enabled("#pause") && !enabled("#suspend"), "a suspended VM is started again");
        ui.robot.clickOn("#start");
        ui.awaitCell(VM, "col-state", "running", 20);
        assertEquals(VmState.RUNNING, state(), "resumed from its saved state");
    }

    @Test
    void anEmptyMediaLibraryIsSaidInsteadOfAnEmptyChooser() throws Exception {
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend")).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name(VM).slot(1).memoryMib(256)
                .disks(List.of(new Disk(null, null, true, null, null))).build()));
        ui.awaitCell(VM, "col-state", "stopped", 10);
        ui.selectRow(VM);
        ui.robot.clickOn("#start");
        ui.awaitCell(VM, "col-state", "running", 20);
        ui.robot.clickOn("#insert-cd");
        ui.awaitText("#notice-text", MediaChooser.EMPTY, 10);
    }

    @Test
    void theFormsInstallIsoComesFromTheLibrary() throws Exception {
        Path root = tmp.resolve("daemon");
        Path media = Files.createDirectories(root.resolve("media"));
        Files.write(media.resolve("debian.iso"), new byte[4096]);
        Files.write(media.resolve("windows.iso"), new byte[4096]);
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, root, "--stub-backend")).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#new-vm");
        ui.awaitText("#form-title", "New VM", 5);
        ui.robot.clickOn("#iso-library");
        ui.awaitText("#media-chooser .header-panel .label", "The install ISO of this VM", 10);
        ui.robot.clickOn("#media-chooser-medium").clickOn("windows.iso");
        ui.robot.clickOn("#media-chooser-ok");
        ui.awaitText("#iso", media.resolve("windows.iso").toString(), 5);
    }
}
