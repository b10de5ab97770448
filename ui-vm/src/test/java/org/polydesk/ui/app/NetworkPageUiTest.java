package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkKind;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.PolydeskdProcess;

/**
 * The Network page against a real polydeskd in a network namespace of the test's own (its bridges,
 * dnsmasq and nft tables are made there, never on the host): it shows dom0's uplink as host.network
 * reads it (from an nmcli test double), lists the networks with their state,
 * makes one from its form, shows polydeskd's refusal of a bad name and of an overlapping subnet (and
 * nothing is made), lists each VM's NIC, changes its policy and cable (stored in the definition),
 * refuses to delete a network in use naming the VM, follows a network made elsewhere by its event,
 * and deletes one.
 */
class NetworkPageUiTest {
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


    /** The rows of a table as its cells show them: each row's text per column, in column order. */
    private List<List<String>> rows(String table) {
        return UiFixture.fx(() -> {
            TableView<?> t = (TableView<?>) ui.robot.lookup(table).query();
            List<List<String>> out = new ArrayList<>();
            for (int i = 0; i < t.getItems().size(); i++) {
                List<String> row = new ArrayList<>();
                for (TableColumn<?, ?> c : t.getColumns()) {
                    Object v = c.getCellData(i);
                    row.add(v == null ? "" : v.toString());
                }
                out.add(row);
            }
            return out;
        });
    }

    /** The row of {@code table} whose first column is {@code first}, or null. */
    private List<String> row(String table, String first) {
        return rows(table).stream().filter(r -> r.get(0).equals(first)).findFirst().orElse(null);
    }

    /** Clicks the cell showing {@code text} in {@code table}, once it is drawn, and sees its row selected. */
    private void clickCell(String table, String text) {
        java.util.concurrent.Callable<java.util.Optional<Node>> find = () -> ui.robot.lookup(table + " .table-cell").queryAll()
                .stream().filter(c -> UiFixture.shown(c) && c instanceof TableCell<?, ?> tc && text.equals(tc.getText())).findFirst();
        java.util.concurrent.Callable<Boolean> selected = () -> find.call().map(c -> ((TableCell<?, ?>) c).getTableRow())
                .map(r -> r.isSelected()).orElse(false);
        ui.reveal(table);
        ui.await("a cell '" + text + "' in " + table, 5, () -> find.call().isPresent(), () -> rows(table));
        ui.robot.clickOn(UiFixture.fx(find).orElseThrow());
        assertTrue(UiFixture.fx(selected), "the row of '" + text + "' in " + table + " is selected after clicking it");
    }

    @Test
    void thePageMakesListsAndDeletesNetworksAndSetsEachNicsPolicyAndCable() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "the test makes a network namespace, which needs root");
        namespace = new TestNamespace("pdnp");
        // NetworkManager's nmcli as a test double (no NetworkManager runs here); the ISO boot test reads the real one.
        Path nmcli = tmp.resolve("nmcli");
        // Its Wi-Fi radio sees 'home' (WPA2), which takes the passphrase "right-passphrase" from the
        // connection file polydeskd writes.
        java.nio.file.Files.writeString(nmcli, """
                #!/bin/sh
                d=%s
                case "$*" in
                  "-t -f RUNNING,STATE general") echo 'running:connected' ;;
                  "-t -f DEVICE,TYPE,STATE,CONNECTION device status")
                    echo 'enp0s3:ethernet:connected:Wired connection 1'
                    if [ -e $d/joined ]; then echo 'wlan1:wifi:connected:home'; else echo 'wlan1:wifi:disconnected:'; fi ;;
                  "-t -g IP4.ADDRESS device show enp0s3") echo '192.168.1.23/24' ;;
                  "-t -g IP4.ADDRESS device show wlan1") echo '10.66.0.20/24' ;;
                  "-t -f IN-USE,SSID,SIGNAL,SECURITY device wifi list --rescan yes") echo ' :home:82:WPA2'; echo ' :cafe:40:' ;;
                  "connection load "*) echo "$3" > $d/loaded ;;
                  "-w 90 connection up uuid "*)
                    if grep -qx 'psk=right-passphrase' "$(cat $d/loaded)"; then touch $d/joined
                    else echo 'Error: Connection activation failed: Secrets were required, but not provided.'; exit 4; fi ;;
                  "connection delete uuid "*) ;;
                  "connection modify uuid "*" connection.autoconnect yes") ;;
                  *) exit 2 ;;
                esac
                """.formatted(tmp));
        java.nio.file.Files.setPosixFilePermissions(nmcli, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        ui = new UiFixture(PolydeskdProcess.startWrapped(namespace.wrapper(), tmp,
                "--nmcli", nmcli.toString(), "--nm-connections", tmp.resolve("nm").toString())).open();
        ui.await("the connection to polydeskd", 20, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.rpc(ToolstackApi.NETWORK_CREATE, new Network("default", NetworkKind.NAT, "10.77.0.1/24", null, null));

        ui.click("#nav-network");
        ui.await("default in the table", 10, () -> row("#networks-table", "default") != null, () -> rows("#networks-table"));
        assertEquals(List.of("default", "nat", "10.77.0.1/24", "running", "active", ""), row("#networks-table", "default"));
        ui.awaitText("#uplink-status", "NetworkManager: connected", 10);
        assertEquals(List.of(List.of("enp0s3", "ethernet", "connected", "Wired connection 1", "192.168.1.23/24"),
                List.of("wlan1", "wifi", "disconnected", "", "")), rows("#uplink-table"));

        // Wi-Fi: scan, a wrong passphrase refused with NetworkManager's reason, then joined.
        ui.click("#wifi-scan");
        ui.awaitText("#wifi-status", "2 Wi-Fi networks in range.", 10);
        assertEquals(List.of(List.of("home", "82%", "WPA2", ""), List.of("cafe", "40%", "open", "")), rows("#wifi-table"));
        clickCell("#wifi-table", "home");
        ui.type("#wifi-password", "wrong-passphrase");
        ui.click("#wifi-connect");
        ui.awaitTextContaining("#wifi-status", "Not joined: cannot join 'home': the passphrase was not accepted", 10);
        assertFalse(java.nio.file.Files.exists(tmp.resolve("nm/polydesk-wifi-home.nmconnection")), "nothing left of it");
        ui.type("#wifi-password", "right-passphrase");
        ui.click("#wifi-connect");
        ui.awaitText("#wifi-status", "Joined home.", 10);
        ui.await("wlan1 connected", 10, () -> rows("#uplink-table").contains(
                List.of("wlan1", "wifi", "connected", "home", "10.66.0.20/24")), () -> rows("#uplink-table"));

        // A network from the form: isolated, no DHCP.
        ui.type("#net-name", "lab");
        ui.click("#net-kind");
        ui.robot.clickOn("isolated");
        assertFalse(UiFixture.fx(() -> ((javafx.scene.control.CheckBox) ui.robot.lookup("#net-dhcp").query()).isSelected()),
                "an isolated network starts without DHCP");
        ui.click("#net-create");
        ui.awaitTextContaining("#net-create-status", "lab is up (bridge pd-lab)", 15);
        ui.await("lab in the table", 10, () -> row("#networks-table", "lab") != null, () -> rows("#networks-table"));
        assertEquals("active", row("#networks-table", "lab").get(4));
        assertTrue(namespace.in("ip", "-o", "link", "show", "pd-lab").contains("pd-lab"));

        // polydeskd's refusals, each naming what is wrong; nothing is made.
        ui.type("#net-name", "Bad Name");
        ui.click("#net-create");
        ui.awaitTextContaining("#net-create-status", "Not made: name: name 'Bad Name' must be", 10);
        ui.type("#net-name", "clash");
        ui.click("#net-kind");
        ui.robot.clickOn("nat");
        ui.type("#net-address", "10.77.0.5/24");
        ui.click("#net-create");
        ui.awaitTextContaining("#net-create-status", "overlaps", 10);
        assertTrue(ui.text("#net-create-status").contains("default"), ui.text("#net-create-status"));
        assertFalse(namespace.in("ip", "-o", "link", "show").contains("pd-clash"));
        assertEquals(2, rows("#networks-table").size());

        // A VM's NIC on lab: listed, its policy and cable set from the page and stored.
        VmDefinition box = VmDefinition.builder().name("box").type(GuestType.HVM).nics(List.of(Nic.on("lab"))).build();
        ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(box));
        ui.await("box's NIC in the table", 10, () -> row("#nics-table", "box") != null, () -> rows("#nics-table"));
        List<String> nic = row("#nics-table", "box");
        assertEquals(List.of("box", "1", "lab"), nic.subList(0, 3));
        assertTrue(nic.get(3).matches("52:54:00(:[0-9a-f]{2}){3}"), "the MAC polydeskd gave it: " + nic);
        assertEquals(List.of("open", "online", "stopped"), nic.subList(4, 7));
        clickCell("#nics-table", "box");
        ui.click("#nic-policy-choice");
        ui.robot.clickOn("internet-only");
        ui.click("#nic-apply-policy");
        ui.await("the policy shown", 10, () -> "internet-only".equals(row("#nics-table", "box").get(4)), () -> rows("#nics-table"));
        ui.awaitTextContaining("#nic-status", "from its next start", 5);
        assertEquals("Take offline", ui.text("#nic-cable"));
        ui.click("#nic-cable");
        ui.await("the cable shown", 10, () -> "offline".equals(row("#nics-table", "box").get(5)), () -> rows("#nics-table"));
        assertEquals("Put online", ui.text("#nic-cable"));
        Nic stored = ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("box")).definition().nics().get(0);
        assertEquals(NicPolicy.INTERNET_ONLY, stored.policy());
        assertEquals(Boolean.FALSE, stored.online());
        assertEquals("box", row("#networks-table", "lab").get(5), "the network lists the VM on it");

        // Policy allowed: refused without a list (polydeskd's sentence shown), then stored with one.
        ui.click("#nic-policy-choice");
        ui.robot.clickOn("allowed");
        ui.click("#nic-apply-policy");
        ui.awaitTextContaining("#nic-status", "nothing allowed", 10);
        assertEquals("internet-only", row("#nics-table", "box").get(4), "a refused change changes nothing");
        ui.type("#nic-allowed", "192.168.1.10:443/tcp, 10.20.0.0/16");
        ui.click("#nic-apply-policy");
        ui.await("the allowed list shown", 10, () -> "allowed: 192.168.1.10:443/tcp, 10.20.0.0/16"
                .equals(row("#nics-table", "box").get(4)), () -> rows("#nics-table"));
        assertEquals(List.of("192.168.1.10:443/tcp", "10.20.0.0/16"),
                ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("box")).definition().nics().get(0).allowed());

        // A network in use is not deleted; the refusal names the VM.
        clickCell("#networks-table", "lab");
        ui.click("#net-delete");
        ui.click("#confirm-delete-network");
        ui.awaitTextContaining("#networks-status", "Could not delete lab", 10);
        assertTrue(ui.text("#networks-status").contains("box"), ui.text("#networks-status"));

        // Made elsewhere (polyctl, another UI): its event brings it to the page.
        ui.rpc(ToolstackApi.NETWORK_CREATE, new Network("spare", NetworkKind.ISOLATED, null, null, null));
        ui.await("spare active in the table", 10, () -> row("#networks-table", "spare") != null
                && "active".equals(row("#networks-table", "spare").get(4)), () -> rows("#networks-table"));

        clickCell("#networks-table", "spare");
        ui.click("#net-delete");
        ui.click("#confirm-delete-network");
        ui.await("spare gone", 10, () -> row("#networks-table", "spare") == null, () -> rows("#networks-table"));
        assertEquals(List.of("default", "lab"), rows("#networks-table").stream().map(r -> r.get(0)).toList());
        assertTrue(ui.rpc(ToolstackApi.NETWORK_LIST, null).stream().noneMatch(s -> s.network().name().equals("spare")));
        assertFalse(namespace.in("ip", "-o", "link", "show").contains("pd-spare"));
    }
}
