package org.polydesk.ui.network;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkEvent;
import org.polydesk.protocol.network.NetworkKind;
import org.polydesk.protocol.network.NetworkStatus;
import org.polydesk.protocol.network.Uplink;
import org.polydesk.protocol.network.WifiNetwork;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.ui.client.ToolstackException;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * dom0's uplink as NetworkManager has it (host.network; Wi-Fi scanned and joined by host.wifi.*),
 * polydeskd's networks (network.*) and every
 * VM's network interfaces on them (vm.nic.set): make a
 * network, delete one, and for a NIC pull or plug its cable and choose its policy. A NIC's change is
 * stored in its VM's definition and, on a running VM, takes effect at once. Kept live by
 * polydeskd's network events and, through the VM list, its lifecycle events.
 */
public final class NetworkPage {
    /** One NIC of one VM, on one of polydeskd's networks. */
    public record NicRow(VmStatus vm, int index, Nic nic) {
        String vmName() {
            return vm.definition().name();
        }
    }

    private final UiContext ui;
    private final ObservableList<VmStatus> vms;
    private final Label uplinkStatus = new Label();
    private final TableView<Uplink.Device> uplinkDevices = new TableView<>();
    private final Button wifiScan = new Button("Scan for Wi-Fi");
    private final TableView<WifiNetwork> wifi = new TableView<>();
    private final PasswordField wifiPassword = new PasswordField();
    private final Button wifiConnect = new Button("Connect");
    private final Label wifiStatus = new Label();
    private final TableView<NetworkStatus> networks = new TableView<>();
    private final Label listStatus = new Label();
    private final Button delete = new Button("Delete…");
    private final Button refresh = new Button("Refresh");
    private final TextField name = new TextField();
    private final ComboBox<String> kind = new ComboBox<>(FXCollections.observableArrayList(
            NetworkKind.NAT.wireName(), NetworkKind.ISOLATED.wireName(), NetworkKind.BRIDGED.wireName()));
    private final TextField address = new TextField();
    private final CheckBox dhcp = new CheckBox("DHCP for the VMs");
    private final TextField uplink = new TextField();
    private final Button create = new Button("Create network");
    private final Label createStatus = new Label();
    private final TableView<NicRow> nics = new TableView<>();
    private final ComboBox<String> policy = new ComboBox<>(FXCollections.observableArrayList(
            NicPolicy.OPEN.wireName(), NicPolicy.INTERNET_ONLY.wireName(), NicPolicy.OFFLINE.wireName(),
            NicPolicy.ALLOWED.wireName()));
    /** Policy allowed's list, comma-separated. */
    private final TextField allowed = new TextField();
    private final Button applyPolicy = new Button("Set policy");
    private final Button cable = new Button("Take offline");
    private final Label nicStatus = new Label();
    private final VBox content;
    private final ScrollPane root;

    public NetworkPage(UiContext ui, ObservableList<VmStatus> vms) {
        this.ui = ui;
        this.vms = vms;
        uplinkStatus.setId("uplink-status");
        uplinkStatus.setWrapText(true);
        uplinkStatus.setMinHeight(Region.USE_PREF_SIZE);
        uplinkDevices.setId("uplink-table");
        uplinkDevices.setPlaceholder(new Label("No network devices of dom0's."));
        uplinkDevices.getColumns().addAll(List.of(Pages.column("Device", Uplink.Device::name), Pages.column("Type", Uplink.Device::type),
                Pages.column("State", Uplink.Device::state), Pages.column("Connection", d -> d.connection() == null ? "" : d.connection()),
                Pages.column("IPv4", d -> d.ipv4() == null ? "" : String.join(", ", d.ipv4()))));
        uplinkDevices.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        uplinkDevices.setPrefHeight(100);
        uplinkDevices.setMinHeight(Region.USE_PREF_SIZE);
        wifiScan.setId("wifi-scan");
        wifiScan.setOnAction(e -> scanWifi());
        wifi.setId("wifi-table");
        wifi.setPlaceholder(new Label("Scan to see the Wi-Fi networks in range."));
        wifi.getColumns().addAll(List.of(Pages.column("SSID", WifiNetwork::ssid), Pages.column("Signal", w -> w.signal() + "%"),
                Pages.column("Security", w -> w.security().isEmpty() ? "open" : w.security()),
                Pages.column("", w -> w.inUse() ? "connected" : "")));
        wifi.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        wifi.setPrefHeight(110);
        wifi.setMinHeight(Region.USE_PREF_SIZE);
        wifi.getSelectionModel().selectedItemProperty().addListener((o, was, w) -> {
            wifiConnect.setDisable(w == null);
            wifiPassword.setDisable(w == null || w.security().isEmpty());
        });
        wifiPassword.setId("wifi-password");
        wifiPassword.setPromptText("passphrase");
        wifiPassword.setDisable(true);
        wifiConnect.setId("wifi-connect");
        wifiConnect.setDisable(true);
        wifiConnect.setOnAction(e -> connectWifi());
        wifiStatus.setId("wifi-status");
        wifiStatus.setWrapText(true);
        wifiStatus.setMinHeight(Region.USE_PREF_SIZE);
        networks.setId("networks-table");
        networks.setPlaceholder(new Label("No networks: VMs have no network until one is made."));
        networks.getColumns().addAll(List.of(Pages.column("Name", s -> s.network().name()), Pages.column("Kind", s -> s.network().kind().wireName()),
                Pages.column("Address", s -> s.network().kind() == NetworkKind.BRIDGED ? "on " + s.network().uplink()
                        : s.network().address() == null ? "" : s.network().address()),
                Pages.column("DHCP", s -> s.dhcp() == null ? "off" : s.dhcp()),
                Pages.column("State", s -> s.active() ? "active" : "down: " + s.problem()),
                Pages.column("VMs", s -> s.vms() == null ? "" : String.join(", ", s.vms()))));
        networks.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        networks.setPrefHeight(150);
        // Tables keep their height; the page scrolls instead (a squeezed table hides its last rows).
        networks.setMinHeight(Region.USE_PREF_SIZE);
        networks.getSelectionModel().selectedItemProperty().addListener((o, was, s) -> delete.setDisable(s == null));
        listStatus.setId("networks-status");
        listStatus.setWrapText(true);
        delete.setId("net-delete");
        delete.setDisable(true);
        delete.setOnAction(e -> confirmAndDelete());
        refresh.setId("net-refresh");
        refresh.setOnAction(e -> refresh());

        name.setId("net-name");
        name.setPromptText("lab");
        kind.setId("net-kind");
        kind.setValue(NetworkKind.NAT.wireName());
        kind.valueProperty().addListener((o, was, k) -> kindChosen(k));
        address.setId("net-address");
        address.setPromptText("the bridge's address, like 10.90.0.1/24");
        dhcp.setId("net-dhcp");
        dhcp.setSelected(true);
        uplink.setId("net-uplink");
        uplink.setPromptText("the physical NIC, like enp3s0");
        uplink.setDisable(true);
        create.setId("net-create");
        create.setOnAction(e -> createNetwork());
        createStatus.setId("net-create-status");
        createStatus.setWrapText(true);
        GridPane form = new GridPane();
        form.setHgap(12);
        form.setVgap(6);
        form.addRow(0, new Label("Name"), name);
        form.addRow(1, new Label("Kind"), kind);
        form.addRow(2, new Label("Address"), address);
        form.addRow(3, new Label(""), dhcp);
        form.addRow(4, new Label("Uplink"), uplink);
        GridPane.setHgrow(address, Priority.ALWAYS);

        nics.setId("nics-table");
        nics.setPlaceholder(new Label("No VM has a network interface on one of these networks."));
        nics.getColumns().addAll(List.of(Pages.column("VM", NicRow::vmName), Pages.column("Interface", r -> String.valueOf(r.index() + 1)),
                Pages.column("Network", r -> r.nic().network()), Pages.column("MAC", r -> r.nic().mac() == null ? "" : r.nic().mac()),
                Pages.column("Policy", r -> r.nic().policyOrDefault().wireName()
                        + (r.nic().allowed() == null ? "" : ": " + String.join(", ", r.nic().allowed()))),
                Pages.column("Cable", r -> r.nic().onlineOrDefault() ? "online" : "offline"),
                Pages.column("VM state", r -> r.vm().state().wireName())));
        nics.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        nics.setPrefHeight(160);
        nics.setMinHeight(Region.USE_PREF_SIZE);
        nics.getSelectionModel().selectedItemProperty().addListener((o, was, r) -> nicChosen(r));
        policy.setId("nic-policy-choice");
        policy.valueProperty().addListener((o, was, p) -> allowed.setDisable(!NicPolicy.ALLOWED.wireName().equals(p)));
        allowed.setId("nic-allowed");
        allowed.setPromptText("for allowed: 192.168.1.10:443/tcp, 10.20.0.0/16");
        allowed.setDisable(true);
        HBox.setHgrow(allowed, Priority.ALWAYS);
        applyPolicy.setId("nic-apply-policy");
        applyPolicy.setOnAction(e -> {
            NicRow r = nics.getSelectionModel().getSelectedItem();
            NicPolicy p = NicPolicy.fromWireName(policy.getValue());
            if (r != null && p != null) {
                set(r, null, p, p == NicPolicy.ALLOWED ? java.util.Arrays.stream(allowed.getText().split(","))
                        .map(String::strip).filter(a -> !a.isEmpty()).toList() : null);
            }
        });
        cable.setId("nic-cable");
        cable.setOnAction(e -> {
            NicRow r = nics.getSelectionModel().getSelectedItem();
            if (r != null) {
                set(r, !r.nic().onlineOrDefault(), null, null);
            }
        });
        nicStatus.setId("nic-status");
        nicStatus.setWrapText(true);
        nicChosen(null);
        // A VM made, changed or deleted changes which VMs a network lists: read them again while shown.
        vms.addListener((ListChangeListener<VmStatus>) c -> {
            if (networks.getScene() != null) {
                refreshNetworks();
            } else {
                showNics();
            }
        });

        Label intro = new Label("nat: the VMs share dom0's uplink (DHCP and DNS from dom0). isolated: VM to VM only."
                + " bridged: the VMs sit on the LAN of a NIC that dom0 does not use.");
        intro.setWrapText(true);
        Label nicIntro = new Label("A policy is enforced in dom0 on the VM's interface there, whatever the guest does:"
                + " internet-only reaches neither the LAN nor other VMs; offline passes nothing. Changes are stored and"
                + " take effect at once on a running VM.");
        nicIntro.setWrapText(true);
        // A wrapped label in a VBox keeps the height of all its lines.
        intro.setMinHeight(Region.USE_PREF_SIZE);
        nicIntro.setMinHeight(Region.USE_PREF_SIZE);
        content = new VBox(10, Pages.title("Uplink"), uplinkStatus, uplinkDevices, wifiScan, wifi,
                new HBox(8, new Label("Passphrase"), wifiPassword, wifiConnect), wifiStatus, Pages.title("Networks"), intro, networks, listStatus, new HBox(8, delete, refresh),
                Pages.title("New network"), form, create, createStatus,
                Pages.title("VM network interfaces"), nicIntro, nics,
                new HBox(8, new Label("Policy"), policy, allowed, applyPolicy, cable), nicStatus);
        content.setPadding(new Insets(16));
        root = new ScrollPane(content);
        root.setFitToWidth(true);
    }

    public ScrollPane node() {
        return root;
    }

    /** The whole page again: the uplink, the networks and the VMs' NICs. */
    public void refresh() {
        ui.request("read dom0's uplink", ui.toolstack().call(ToolstackApi.HOST_NETWORK), this::showUplink, e -> {
            uplinkDevices.getItems().clear();
            uplinkStatus.setText(Pages.unavailable("dom0's uplink", e));
        });
        refreshNetworks();
    }

    private void showUplink(Uplink u) {
        if (!u.devices().equals(uplinkDevices.getItems())) {
            uplinkDevices.getItems().setAll(u.devices());
        }
        uplinkStatus.setText(!u.managed() ? "dom0's uplink is not NetworkManager's: " + u.problem()
                : "NetworkManager: " + u.state() + (u.problem() == null ? "" : " (" + u.problem() + ")"));
    }

    /** The networks and the VMs' NICs again (not the uplink: reading NetworkManager runs nmcli several times). */
    private void refreshNetworks() {
        ui.request("list the networks", ui.toolstack().call(ToolstackApi.NETWORK_LIST), list -> {
            String selected = selectedNetwork();
            if (!list.equals(networks.getItems())) {
                // Only a change is drawn again: a row under the pointer stays the row it was.
                networks.getItems().setAll(list);
            }
            if (selected != null) {
                list.stream().filter(s -> s.network().name().equals(selected)).findFirst()
                        .ifPresent(s -> networks.getSelectionModel().select(s));
            }
            long down = list.stream().filter(s -> !s.active()).count();
            listStatus.getStyleClass().remove("field-error");
            listStatus.setText((list.size() == 1 ? "1 network" : list.size() + " networks")
                    + (down == 0 ? "" : ", " + down + " down"));
        }, e -> {
            networks.getItems().clear();
            listStatus.setText(Pages.unavailable("The networks", e));
        });
        showNics();
    }

    private void scanWifi() {
        wifiScan.setDisable(true);
        wifiStatus.getStyleClass().remove("field-error");
        wifiStatus.setText("Scanning…");
        ui.request("scan for Wi-Fi", ui.toolstack().call(ToolstackApi.HOST_WIFI_SCAN), seen -> {
            wifiScan.setDisable(false);
            wifi.getItems().setAll(seen);
            wifiStatus.setText(seen.isEmpty() ? "No Wi-Fi network in range." : seen.size() == 1 ? "1 Wi-Fi network in range."
                    : seen.size() + " Wi-Fi networks in range.");
        }, e -> {
            wifiScan.setDisable(false);
            wifi.getItems().clear();
            wifiStatus.getStyleClass().add("field-error");
            wifiStatus.setText("Cannot scan: " + e.describe());
        });
    }

    private void connectWifi() {
        WifiNetwork w = wifi.getSelectionModel().getSelectedItem();
        if (w == null) {
            return;
        }
        String password = w.security().isEmpty() ? null : wifiPassword.getText();
        wifiConnect.setDisable(true);
        wifiStatus.getStyleClass().remove("field-error");
        wifiStatus.setText("Joining " + w.ssid() + "…");
        ui.log().info("join the Wi-Fi network " + w.ssid());
        ui.request("join " + w.ssid(), ui.toolstack().call(ToolstackApi.HOST_WIFI_CONNECT,
                new ToolstackApi.WifiConnect(w.ssid(), password)), u -> {
                    wifiConnect.setDisable(false);
                    wifiPassword.clear();
                    wifiStatus.setText("Joined " + w.ssid() + ".");
                    // host.wifi.connect answers the uplink as it is once joined.
                    showUplink(u);
                }, e -> {
                    wifiConnect.setDisable(false);
                    wifiStatus.getStyleClass().add("field-error");
                    wifiStatus.setText("Not joined: " + explain(e));
                });
    }

    /** A network event: the list is read again; a failure or a restarted DHCP server is told. */
    public void onEvent(NetworkEvent e) {
        ui.log().info("network " + e.network() + " " + e.type().name().toLowerCase(java.util.Locale.ROOT)
                + (e.detail() == null ? "" : " (" + e.detail() + ")"));
        if (e.type() == NetworkEvent.Type.FAILED || e.type() == NetworkEvent.Type.DHCP_RESTARTED) {
            ui.notices().error("Network " + e.network() + ": " + (e.type() == NetworkEvent.Type.FAILED ? "down" : "its DHCP"
                    + " server was started again") + (e.detail() == null ? "" : " (" + e.detail() + ")"));
        }
        refreshNetworks();
    }

    private void kindChosen(String k) {
        boolean bridged = NetworkKind.BRIDGED.wireName().equals(k);
        uplink.setDisable(!bridged);
        address.setDisable(bridged);
        dhcp.setDisable(bridged);
        dhcp.setSelected(NetworkKind.NAT.wireName().equals(k));
    }

    private void createNetwork() {
        NetworkKind k = NetworkKind.fromWireName(kind.getValue());
        boolean bridged = k == NetworkKind.BRIDGED;
        Network n = new Network(name.getText().strip(), k, bridged ? null : blankToNull(address.getText()),
                bridged ? null : dhcp.isSelected(), bridged ? blankToNull(uplink.getText()) : null);
        create.setDisable(true);
        createStatus.getStyleClass().removeAll("field-error", "install-done");
        createStatus.setText("Making " + n.name() + "…");
        ui.log().info("create the network " + n.name());
        ui.request("create the network " + n.name(), ui.toolstack().call(ToolstackApi.NETWORK_CREATE, n), made -> {
            create.setDisable(false);
            createStatus.getStyleClass().add("install-done");
            createStatus.setText(made.network().name() + " is " + (made.active() ? "up" : "made but down: " + made.problem())
                    + " (bridge " + made.bridge() + ").");
            name.clear();
            address.clear();
            uplink.clear();
            refreshNetworks();
        }, e -> {
            create.setDisable(false);
            createStatus.getStyleClass().add("field-error");
            createStatus.setText("Not made: " + explain(e));
        });
    }

    private void confirmAndDelete() {
        NetworkStatus s = networks.getSelectionModel().getSelectedItem();
        if (s == null) {
            return;
        }
        ButtonType yes = new ButtonType("Delete", ButtonBar.ButtonData.OK_DONE);
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, "Its bridge " + s.bridge() + ", DHCP server and rules go"
                + " with it.", yes, ButtonType.CANCEL);
        confirm.setHeaderText("Delete the network " + s.network().name() + "?");
        confirm.getDialogPane().lookupButton(yes).setId("confirm-delete-network");
        if (root.getScene() != null) {
            confirm.initOwner(root.getScene().getWindow());
        }
        if (confirm.showAndWait().filter(b -> b == yes).isEmpty()) {
            return;
        }
        String n = s.network().name();
        ui.log().info("delete the network " + n);
        ui.request("delete the network " + n, ui.toolstack().call(ToolstackApi.NETWORK_DELETE, new ToolstackApi.NetworkRef(n)),
                ok -> refreshNetworks(), e -> {
                    listStatus.getStyleClass().add("field-error");
                    listStatus.setText("Could not delete " + n + ": " + e.describe());
                });
    }

    private void nicChosen(NicRow r) {
        policy.setDisable(r == null);
        applyPolicy.setDisable(r == null);
        cable.setDisable(r == null);
        allowed.setDisable(r == null || r.nic().policyOrDefault() != NicPolicy.ALLOWED);
        if (r != null) {
            policy.setValue(r.nic().policyOrDefault().wireName());
            allowed.setText(String.join(", ", r.nic().allowedOrEmpty()));
            cable.setText(r.nic().onlineOrDefault() ? "Take offline" : "Put online");
        }
    }

    private void set(NicRow r, Boolean online, NicPolicy newPolicy, List<String> newAllowed) {
        String what = "'" + r.vmName() + "' interface " + (r.index() + 1)
                + (online == null ? "" : online ? " online" : " offline")
                + (newPolicy == null ? "" : " with the policy " + newPolicy.wireName())
                + (newAllowed == null ? "" : " (" + String.join(", ", newAllowed) + ")");
        nicStatus.getStyleClass().remove("field-error");
        nicStatus.setText("Setting " + what + "…");
        ui.log().info("set " + what);
        ui.request("set " + what, ui.toolstack().call(ToolstackApi.VM_NIC_SET, new ToolstackApi.VmNicSet(
                r.vm().definition().id().toString(), r.index(), online, newPolicy, newAllowed)), s -> {
                    replace(s);
                    nicStatus.setText("Done: " + what + (s.state().isActive() ? ", at once." : ", from its next start."));
                }, e -> {
                    nicStatus.getStyleClass().add("field-error");
                    nicStatus.setText("Could not set " + what + ": " + explain(e));
                });
    }

    /** Puts a VM's new status in the shared list at once (its changed event brings the same). */
    private void replace(VmStatus s) {
        for (int i = 0; i < vms.size(); i++) {
            if (vms.get(i).definition().id().equals(s.definition().id())) {
                vms.set(i, s);
                return;
            }
        }
    }

    private void showNics() {
        NicRow selected = nics.getSelectionModel().getSelectedItem();
        List<NicRow> rows = new ArrayList<>();
        for (VmStatus v : vms) {
            List<Nic> list = v.definition().nics();
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).network() != null) {
                    rows.add(new NicRow(v, i, list.get(i)));
                }
            }
        }
        nics.getItems().setAll(rows);
        if (selected != null) {
            rows.stream().filter(r -> r.vm().definition().id().equals(selected.vm().definition().id())
                    && r.index() == selected.index()).findFirst().ifPresent(r -> nics.getSelectionModel().select(r));
        }
        nicChosen(nics.getSelectionModel().getSelectedItem());
    }

    private String selectedNetwork() {
        NetworkStatus s = networks.getSelectionModel().getSelectedItem();
        return s == null ? null : s.network().name();
    }

    /** polydeskd's problems, each naming its field, else its message. */
    private static String explain(ToolstackException e) {
        List<Problem> problems = e.problems();
        return problems.isEmpty() ? e.describe()
                : problems.stream().map(p -> p.field() + ": " + p.problem()).collect(Collectors.joining("; "));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }




}
