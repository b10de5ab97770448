package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.ComboBox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkKind;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.SoundCard;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.PolydeskdProcess;

/**
 * The VM form's network part against a real polydeskd that runs in a network namespace of the
 * test's own (its networks' bridges, dnsmasq and nft tables are made there, never on the host): the
 * form offers polydeskd's networks, starts on 'default', and what it stores is the network and
 * policy chosen, with a MAC polydeskd gave the NIC, and the sound card chosen; editing shows them again.
 */
class NetworkFormUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;
    TestNamespace namespace;

    @AfterEach
    void cleanUp() throws Exception {
        if (ui != null) {
            ui.close();
        }
        if (namespace != null) {
            namespace.close();
        }
    }


    private Object combo(String query) {
        return UiFixture.fx(() -> ((ComboBox<?>) ui.robot.lookup(query).query()).getValue());
    }

    private List<?> items(String query) {
        return UiFixture.fx(() -> List.copyOf(((ComboBox<?>) ui.robot.lookup(query).query()).getItems()));
    }

    @Test
    void theFormOffersPolydeskdsNetworksAndStoresTheOneChosen() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "the test makes a network namespace, which needs root");
        namespace = new TestNamespace("pdui");
        ui = new UiFixture(PolydeskdProcess.startWrapped(namespace.wrapper(), tmp)).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.rpc(ToolstackApi.NETWORK_CREATE, new Network("lab", NetworkKind.ISOLATED, null, null, null));
        ui.rpc(ToolstackApi.NETWORK_CREATE, new Network("default", NetworkKind.NAT, "10.77.0.1/24", null, null));

        ui.robot.clickOn("#new-vm");
        ui.awaitText("#form-title", "New VM", 5);
        ui.await("the networks in the form", 10, () -> items("#network-name").size() == 2, () -> items("#network-name"));
        assertEquals(List.of("default", "lab"), items("#network-name"));
        assertEquals("default", combo("#network-name"), "a new VM's NIC starts on 'default'");

        ui.type("#name", "Lab box");
        ui.robot.clickOn("#network");
        ui.type("#network-name .text-field", "lab");
        assertEquals("open", combo("#nic-policy"), "a new NIC is open");
        ui.robot.clickOn("#nic-policy");
        ui.robot.clickOn("internet-only");
        assertEquals("hda", combo("#sound"), "a new VM has HD Audio");
        ui.click("#sound");
        ui.robot.clickOn("ac97");
        ui.robot.clickOn("#submit");
        ui.await("the form closing", 10, () -> !ui.visible("#vm-form"), () -> ui.text("#general-error"));

        List<VmStatus> vms = ui.rpc(ToolstackApi.VM_LIST, null);
        Nic nic = vms.get(0).definition().nics().get(0);
        assertEquals(SoundCard.AC97, vms.get(0).definition().sound(), "the sound card chosen is stored");
        assertEquals("lab", nic.network());
        assertEquals(NicPolicy.INTERNET_ONLY, nic.policy());
        assertNull(nic.bridge());
        assertTrue(nic.mac().matches("52:54:00(:[0-9a-f]{2}){3}"), nic.mac());
        List<?> onLab = ui.rpc(ToolstackApi.NETWORK_LIST, null).stream()
                .filter(s -> s.network().name().equals("lab")).findFirst().orElseThrow().vms();
        assertEquals(List.of("Lab box"), onLab, "network.list names the VM on it");

        ui.selectRow("Lab box");
        ui.robot.clickOn("#edit-vm");
        ui.awaitText("#form-title", "Edit 'Lab box'", 5);
        assertEquals("lab", combo("#network-name"));
        assertEquals("internet-only", combo("#nic-policy"));
        assertEquals("ac97", combo("#sound"));
    }
}
