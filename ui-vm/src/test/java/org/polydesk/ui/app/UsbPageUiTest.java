package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.usb.UsbPolicy;
import org.polydesk.protocol.usb.UsbRule;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.toolstack.daemon.TestPolydeskd;
import org.polydesk.toolstack.usb.SysfsUsbTree;

/**
 * The USB page against a real polydeskd (stub backend: its VMs record the USB devices they are
 * given) whose sysfs is a test's tree with a stick and a keyboard: what is done on the page —
 * giving the stick to a VM and back, a rule, the policy — is what polydeskd then has; what it
 * refuses is shown; a device plugged in brings a notice of where it went.
 */
class UsbPageUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;

    @AfterEach
    void close() throws Exception {
        if (ui != null) {
            ui.close();
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> rows() {
        return UiFixture.fx(() -> ((TableView<UsbDevice>) ui.robot.lookup("#usb-devices").query()).getItems()
                .stream().map(d -> d.port() + " " + d.product() + " " + (d.vm() == null ? "dom0" : d.vmName())).toList());
    }

    @SuppressWarnings("unchecked")
    private List<String> rules() {
        return UiFixture.fx(() -> ((TableView<UsbRule>) ui.robot.lookup("#usb-rules").query()).getItems()
                .stream().map(r -> r.describe() + " " + r.vmName()).toList());
    }

    private UsbDevice device(String port) throws Exception {
        return ui.rpc(ToolstackApi.USB_LIST, null).stream().filter(d -> d.port().equals(port)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private void chooseVm(String name) {
        UiFixture.fx(() -> {
            ((ComboBox<String>) ui.robot.lookup("#usb-vm").query()).setValue(name);
            return null;
        });
    }

    @Test
    void whatIsDoneHereIsWhatPolydeskdHasAndRefusalsAndPlugsAreShown() throws Exception {
        SysfsUsbTree sys = new SysfsUsbTree(tmp.resolve("sys")).stick("1-1", 2, "STICK1").keyboard("1-2", 3);
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend",
                "--sysfs", tmp.resolve("sys").toString())).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        for (String name : List.of("Office", "Music")) {
            ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name(name).memoryMib(256).build()));
            ui.rpc(ToolstackApi.VM_START, new ToolstackApi.VmRef(name));
        }

        ui.robot.clickOn("#nav-usb");
        ui.await("both devices listed", 15, () -> rows().size() == 2, this::rows);
        assertEquals(List.of("1-1 QEMU USB HARDDRIVE dom0", "1-2 QEMU USB Keyboard dom0"), rows());
        assertTrue(UiFixture.fx(() -> ui.robot.lookup("#usb-assign").query().isDisabled()), "nothing to give before a choice");

        ui.robot.clickOn("QEMU USB HARDDRIVE (46f4:0001)");
        chooseVm("Office");
        ui.robot.clickOn("#usb-assign");
        ui.await("the stick listed with Office", 10, () -> rows().contains("1-1 QEMU USB HARDDRIVE Office"), this::rows);
        assertEquals("Office", device("1-1").vmName(), "polydeskd has it so");

        // Given to another VM while Office holds it: refused, the holder named, nothing changed.
        chooseVm("Music");
        ui.robot.clickOn("#usb-assign");
        ui.await("the refusal shown", 10, () -> ui.text("#usb-problem").contains("held by 'Office'"), () -> ui.text("#usb-problem"));
        assertEquals("Office", device("1-1").vmName());

        ui.robot.clickOn("#usb-release");
        ui.await("the stick back with dom0", 10, () -> rows().contains("1-1 QEMU USB HARDDRIVE dom0"), this::rows);
        assertEquals(null, device("1-1").vm());

        ui.robot.clickOn("#usb-always");
        ui.await("the rule listed", 10, () -> rules().equals(List.of("46f4:0001 (serial STICK1) Music")), this::rules);
        assertEquals("STICK1", ui.rpc(ToolstackApi.USB_SETTINGS, null).rules().get(0).serial());

        ui.robot.clickOn("#usb-policy");
        ui.robot.clickOn("Ask me");
        ui.await("the policy in polydeskd", 10, () -> ui.rpc(ToolstackApi.USB_SETTINGS, null).policy() == UsbPolicy.ASK,
                () -> ui.text("#usb-problem"));

        // A stick no rule names is plugged in: with the policy 'ask' dom0 keeps it, and a notice asks.
        sys.plug("1-3", 1, 5, "0781", "5567", "AA01", "SanDisk", "Cruzer Blade", 0, new int[][] {{8, 0x50}});
        ui.robot.clickOn("#nav-usb"); // polydeskd reads sysfs again (here no kernel tells it of the test's tree)
        ui.await("the notice of the plugged stick", 15, () -> String.valueOf(ui.text("#notice-text"))
                .contains("SanDisk Cruzer Blade plugged in: which VM should have it?"), () -> ui.text("#notice-text"));
        ui.await("the new stick listed", 10, () -> rows().contains("1-3 Cruzer Blade dom0"), this::rows);

        ui.robot.clickOn("46f4:0001 (serial STICK1)");
        ui.robot.clickOn("#usb-remove-rule");
        ui.await("the rule gone", 10, () -> rules().isEmpty(), this::rules);
        assertTrue(ui.rpc(ToolstackApi.USB_SETTINGS, null).rules().isEmpty());
    }
}
