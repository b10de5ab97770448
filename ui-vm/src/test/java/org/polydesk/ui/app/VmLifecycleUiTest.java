package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestGuest;

/**
 * A person's whole round with one VM, in the headless UI against a real polydeskd with the QEMU
 * backend and the small test guest: a form polydeskd refuses (and why, beside the field), the VM
 * created, started ("running" arrives by polydeskd's event), stopped, and deleted after a
 * confirmation that is first cancelled.
 */
class VmLifecycleUiTest {
    private static final String VM = "Test guest";

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
    void createRefusedThenCreatedStartedStoppedDeleted() throws Exception {
        ui = new UiFixture(PolydeskdProcess.start(tmp)).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));

        // The form, filled in with too little memory: polydeskd refuses, and says why beside the memory field.
        ui.robot.clickOn("#new-vm");
        ui.awaitText("#form-title", "New VM", 5);
        ui.type("#name", VM);
        ui.type("#memory", "64");
        ui.type("#colour", "red");
        ui.type("#kernel", TestGuest.kernel().toString());
        ui.type("#ramdisk", TestGuest.initrd().toString());
        ui.type("#cmdline", TestGuest.cmdline("30a050"));
        ui.robot.clickOn("#submit");
        ui.awaitText("#memory-error", "memory 64 MiB is below the 128 MiB minimum", 10);
        // Each problem of polydeskd's error.data beside its own field.
        assertEquals("colour 'red' is not of the form #rrggbb", ui.text("#colour-error"));
        assertEquals("", ui.text("#name-error"), "nothing is wrong with the name");
        assertEquals("New VM", ui.text("#form-title"), "the form stays open to be corrected");
        assertEquals(0, ui.rpc(ToolstackApi.VM_LIST, null).size(), "polydeskd created nothing");

        // A number that is not one is caught by the form itself.
        ui.type("#memory", "lots");
        ui.robot.clickOn("#submit");
        ui.awaitText("#memory-error", "memory must be a whole number, not 'lots'", 5);

        ui.type("#memory", "256");
        ui.type("#colour", "#c03030");
        ui.robot.clickOn("#submit");
        ui.await("the form closing", 10, () -> !ui.visible("#vm-form"), () -> ui.text("#memory-error"));
        ui.awaitCell(VM, "col-state", "stopped", 10);
        assertEquals("1", ui.cell(VM, "col-slot"));
        assertEquals("256 MiB", ui.cell(VM, "col-memory"));
        assertEquals("1", ui.cell(VM, "col-vcpus"));
        assertEquals("#c03030", ui.cell(VM, "col-colour"));
        assertEquals("", ui.cell(VM, "col-gpu"));

        // Start: the row says "starting…" until polydeskd's running event turns it to "running".
        ui.selectRow(VM);
        ui.robot.clickOn("#start");
        ui.awaitCell(VM, "col-state", "running", 60);
        assertTrue(ui.log().stream().anyMatch(l -> l.contains("event: " + VM + " running")),
                "the running event is in the log: " + ui.log());
        VmStatus shown = ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(VM));
        assertEquals(VmState.RUNNING, shown.state());

        // Switch to: polydeskd forwards to input-server, which does not run here; the error is shown.
        ui.robot.clickOn("#switch-to");
        ui.awaitText("#notice-text", "Cannot switch to '" + VM + "': the focus cannot move: input-server is not running"
                + " (nothing answers on " + ui.daemon.runDir().resolve("input.sock") + ")", 10);
        ui.robot.clickOn("#notice-dismiss");
        assertFalse(ui.visible("#notice"));

        // Stop (ACPI) once the guest has booted far enough to act on the power button.
        UUID id = shown.definition().id();
        TestGuest.awaitConsole(Paths.vmDir(ui.daemon.runDir(), id).resolve("console.log"), TestGuest.READY, 120);
        ui.selectRow(VM);
        ui.robot.clickOn("#stop");
        ui.awaitCell(VM, "col-state", "stopped", 90);
        assertTrue(ui.log().stream().anyMatch(l -> l.contains("event: " + VM + " stopped")), ui.log().toString());

        // Delete asks first; Cancel keeps the VM.
        ui.selectRow(VM);
        ui.robot.clickOn("#delete-vm");
        ui.awaitTextContaining("#confirm-delete-dialog .content", "Delete '" + VM + "' (slot 1)?", 5);
        ui.robot.clickOn("#cancel-delete");
        assertEquals("stopped", ui.cell(VM, "col-state"));
        assertEquals(1, ui.rpc(ToolstackApi.VM_LIST, null).size());

        ui.selectRow(VM);
        ui.robot.clickOn("#delete-vm");
        ui.robot.clickOn("#confirm-delete");
        ui.await("the row going away", 10, () -> ui.cell(VM, "col-name") == null, () -> ui.cell(VM, "col-state"));
        assertEquals(0, ui.rpc(ToolstackApi.VM_LIST, null).size(), "polydeskd deleted the VM");
    }
}
