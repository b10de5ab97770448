package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.OsProfile;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.PolydeskdProcess;

/**
 * The form's OS profile chooser against a real polydeskd: choosing Windows 11 fills the fields a
 * Windows 11 VM needs, each stays editable, another profile replaces them, and what polydeskd
 * stores is what the form showed after the person's edits; a contradiction the person makes
 * (Secure Boot on BIOS) comes back beside the machine settings.
 */
class OsProfileFormUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;

    @AfterEach
    void closeUi() throws Exception {
        if (ui != null) {
            ui.close();
        }
    }

    private String combo(String query) {
        return UiFixture.fx(() -> String.valueOf(((ComboBox<?>) ui.robot.lookup(query).query()).getValue()));
    }

    private boolean checked(String query) {
        return UiFixture.fx(() -> ((CheckBox) ui.robot.lookup(query).query()).isSelected());
    }

    private void choose(String comboQuery, String item) {
        ui.robot.clickOn(comboQuery);
        ui.robot.clickOn(item);
        assertEquals(item, combo(comboQuery));
    }

    @Test
    void theProfileFillsEditableFieldsAndPolydeskdStoresWhatWasShown() throws Exception {
        ui = new UiFixture(PolydeskdProcess.start(tmp)).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#new-vm");
        ui.awaitText("#form-title", "New VM", 5);

        choose("#os-profile", "Windows 11");
        assertEquals("4096", ui.text("#memory"));
        assertEquals("2", ui.text("#vcpus"));
        assertEquals("uefi", combo("#firmware"));
        assertTrue(checked("#secure-boot") && checked("#tpm") && checked("#hyperv") && checked("#rtc-local-time")
                && checked("#usb-tablet"), "Windows 11's machine: Secure Boot, TPM, Hyper-V, local clock, tablet");
        assertEquals("CD-ROM, then disk", combo("#boot-order"));
        assertEquals("sata", combo("#disk-bus"));
        assertEquals("e1000", combo("#nic-model"));

        // Another profile replaces what the first filled.
        choose("#os-profile", "Linux");
        assertEquals("bios", combo("#firmware"));
        assertFalse(checked("#secure-boot") || checked("#tpm") || checked("#hyperv") || checked("#rtc-local-time"));
        assertEquals("virtio", combo("#disk-bus"));
        assertEquals("virtio", combo("#nic-model"));

        // Back to Windows 11, then the person edits: every filled field stays theirs to change.
        choose("#os-profile", "Windows 11");
        ui.type("#name", "Windows");
        ui.type("#memory", "512");
        ui.robot.clickOn("#usb-tablet");
        ui.robot.clickOn("#network");
        // This polydeskd has no networks (the test does not make any on the host): a host bridge instead.
        ui.type("#network-name .text-field", "bridge=xenbr0");
        choose("#nic-model", "rtl8139");
        ui.robot.clickOn("#submit");
        ui.await("the form closing", 10, () -> !ui.visible("#vm-form"), () -> ui.text("#general-error") + ui.text("#machine-error"));

        List<VmStatus> vms = ui.rpc(ToolstackApi.VM_LIST, null);
        assertEquals(1, vms.size());
        VmDefinition stored = vms.get(0).definition();
        assertEquals(OsProfile.WIN11, stored.os());
        assertEquals(512, stored.memoryMib());
        assertEquals(Firmware.UEFI, stored.firmware());
        assertTrue(stored.secureBoot() && stored.tpm() && stored.rtcLocalTime());
        assertFalse(stored.usbTablet(), "the tablet the person turned off");
        assertEquals(HypervFeature.WINDOWS, stored.hyperv());
        assertEquals(List.of(BootDevice.CDROM, BootDevice.DISK), stored.boot());
        assertEquals(NicModel.RTL8139, stored.nics().get(0).model());
        assertEquals("xenbr0", stored.nics().get(0).bridge());
        assertTrue(stored.nics().get(0).mac().startsWith("52:54:00:"), "polydeskd gave the NIC its MAC");
    }

    @Test
    void aContradictionTheEditMakesComesBackBesideTheMachineSettings() throws Exception {
        ui = new UiFixture(PolydeskdProcess.start(tmp)).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#new-vm");
        ui.awaitText("#form-title", "New VM", 5);
        choose("#os-profile", "Windows 11");
        ui.type("#name", "Windows");
        choose("#firmware", "bios");
        ui.robot.clickOn("#submit");
        ui.awaitText("#machine-error", "Secure Boot needs firmware uefi, but the firmware is bios", 10);
        assertEquals(0, ui.rpc(ToolstackApi.VM_LIST, null).size(), "polydeskd created nothing");
    }
}
