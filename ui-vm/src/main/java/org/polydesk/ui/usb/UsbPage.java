package org.polydesk.ui.usb;

import java.util.List;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.usb.UsbEvent;
import org.polydesk.protocol.usb.UsbPolicy;
import org.polydesk.protocol.usb.UsbRule;
import org.polydesk.protocol.usb.UsbSettings;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * The host's USB devices: who has each, giving one to a VM or taking it back, the rules that send
 * a device to a VM whenever it is plugged in, and where a device no rule names goes. What polydeskd
 * refuses (a device another VM holds, one pulled out meanwhile) is shown under the controls.
 */
public final class UsbPage {
    private static final String FOCUSED = "To the VM in front", ASK = "Ask me", DOM0 = "Keep it in dom0";

    private final UiContext ui;
    private final ComboBox<String> policy = new ComboBox<>();
    private final TableView<UsbDevice> devices = new TableView<>();
    private final ComboBox<String> vm = new ComboBox<>();
    private final Button assign = new Button("Give to VM");
    private final Button release = new Button("Back to dom0");
    private final Button always = new Button("Always give it to this VM");
    private final TableView<UsbRule> rules = new TableView<>();
    private final Button removeRule = new Button("Remove rule");
    private final Label problem = new Label();
    private final VBox root;
    private boolean showing;

    public UsbPage(UiContext ui, ObservableList<VmStatus> vms) {
        this.ui = ui;
        policy.setId("usb-policy");
        policy.getItems().setAll(FOCUSED, ASK, DOM0);
        policy.setOnAction(e -> {
            if (!showing && policy.getValue() != null) {
                UsbPolicy p = ASK.equals(policy.getValue()) ? UsbPolicy.ASK : DOM0.equals(policy.getValue()) ? UsbPolicy.DOM0
                        : UsbPolicy.FOCUSED;
                settings(ToolstackApi.USB_POLICY_SET, new ToolstackApi.UsbPolicySet(p));
            }
        });
        devices.setId("usb-devices");
        devices.setPlaceholder(new Label("No USB devices (hubs aside)."));
        devices.getColumns().addAll(List.of(
                Pages.column("Port", UsbDevice::port),
                Pages.column("Device", d -> d.label() + " (" + d.vendorProduct() + ")"),
                Pages.column("Kind", UsbDevice::kind),
                Pages.column("With", UsbPage::holder)));
        devices.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        devices.getSelectionModel().selectedItemProperty().addListener((o, was, d) -> enable());
        vm.setId("usb-vm");
        vm.setPromptText("VM");
        vms.addListener((javafx.collections.ListChangeListener<VmStatus>) c -> names(vms));
        names(vms);
        vm.valueProperty().addListener((o, was, now) -> enable());
        assign.setId("usb-assign");
        assign.setOnAction(e -> assignSelected());
        release.setId("usb-release");
        release.setOnAction(e -> releaseSelected());
        always.setId("usb-always");
        always.setOnAction(e -> ruleForSelected());
        rules.setId("usb-rules");
        rules.setPlaceholder(new Label("No rules: a device plugged in goes where the setting above says."));
        rules.getColumns().addAll(List.of(
                Pages.column("Device", UsbRule::describe),
                Pages.column("Goes to", r -> r.vmName() != null ? r.vmName() : r.vm() + " (deleted)")));
        rules.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        rules.setPrefHeight(140);
        rules.getSelectionModel().selectedItemProperty().addListener((o, was, r) -> enable());
        removeRule.setId("usb-remove-rule");
        removeRule.setOnAction(e -> removeSelectedRule());
        problem.setId("usb-problem");
        problem.setWrapText(true);
        problem.getStyleClass().add("error");
        HBox controls = new HBox(8, vm, assign, release, always);
        controls.setAlignment(Pos.CENTER_LEFT);
        Label note = new Label("Keyboards and mice stay with Polydesk's input server unless you give one to a VM here.");
        note.setWrapText(true);
        root = new VBox(12, Pages.title("USB devices"), new HBox(8, new Label("A device plugged in goes:"), policy),
                devices, note, controls, Pages.title("Rules"), rules, removeRule, problem);
        root.setPadding(new Insets(16));
        enable();
    }

    public VBox node() {
        return root;
    }

    private static String holder(UsbDevice d) {
        return d.vm() != null ? d.vmName() : d.input() ? "dom0 (the input server reads it)" : "dom0";
    }

    private void names(ObservableList<VmStatus> vms) {
        String chosen = vm.getValue();
        vm.getItems().setAll(vms.stream().map(s -> s.definition().name()).toList());
        vm.setValue(vm.getItems().contains(chosen) ? chosen : null);
    }

    private void enable() {
        UsbDevice d = devices.getSelectionModel().getSelectedItem();
        assign.setDisable(d == null || vm.getValue() == null);
        always.setDisable(d == null || vm.getValue() == null);
        release.setDisable(d == null || d.vm() == null);
        removeRule.setDisable(rules.getSelectionModel().getSelectedItem() == null);
    }

    public void refresh() {
        ui.request("read the USB devices", ui.toolstack().call(ToolstackApi.USB_LIST, null), this::showDevices,
                e -> problem.setText(Pages.unavailable("USB", e)));
        ui.request("read the USB settings", ui.toolstack().call(ToolstackApi.USB_SETTINGS, null), this::showSettings,
                e -> problem.setText(Pages.unavailable("USB", e)));
    }

    /** A device plugged in or pulled out, or where one went: a short notice, and the lists again if shown. */
    public void onEvent(UsbEvent e, boolean visible) {
        switch (e.type()) {
            case PLUGGED, ASSIGNED, FAILED -> ui.notices().info("USB: " + e.detail());
            case ASK -> ui.notices().info("USB: " + e.detail() + " Choose on the USB page.");
            default -> { }
        }
        if (visible) {
            refresh();
        }
    }

    private void showDevices(List<UsbDevice> list) {
        String port = devices.getSelectionModel().getSelectedItem() == null ? null
                : devices.getSelectionModel().getSelectedItem().port();
        devices.getItems().setAll(list);
        list.stream().filter(d -> d.port().equals(port)).findFirst().ifPresent(d -> devices.getSelectionModel().select(d));
        enable();
    }

    private void showSettings(UsbSettings s) {
        showing = true;
        try {
            policy.setValue(switch (s.policy()) {
                case FOCUSED -> FOCUSED;
                case ASK -> ASK;
                case DOM0 -> DOM0;
            });
            rules.getItems().setAll(s.rules());
        } finally {
            showing = false;
        }
        enable();
    }

    private void assignSelected() {
        UsbDevice d = devices.getSelectionModel().getSelectedItem();
        String to = vm.getValue();
        if (d == null || to == null) {
            return;
        }
        problem.setText("");
        ui.log().info("usb: give " + d.port() + " to " + to);
        ui.request("give " + d.label() + " to " + to, ui.toolstack().call(ToolstackApi.USB_ASSIGN,
                new ToolstackApi.UsbAssign(d.port(), to)), r -> {
                    if (r.vm() == null) {
                        problem.setText(to + " is not running: " + r.label() + " goes to it when it starts (a rule).");
                    }
                    refresh();
                }, e -> problem.setText(e.getMessage()));
    }

    private void releaseSelected() {
        UsbDevice d = devices.getSelectionModel().getSelectedItem();
        if (d == null) {
            return;
        }
        problem.setText("");
        ui.request("take " + d.label() + " back", ui.toolstack().call(ToolstackApi.USB_RELEASE, new ToolstackApi.UsbRef(d.port())),
                r -> refresh(), e -> problem.setText(e.getMessage()));
    }

    private void ruleForSelected() {
        UsbDevice d = devices.getSelectionModel().getSelectedItem();
        if (d != null && vm.getValue() != null) {
            settings(ToolstackApi.USB_RULE_ADD, new ToolstackApi.UsbRuleChange(vm.getValue(), d.vendorProduct(), d.serial(), null));
        }
    }

    private void removeSelectedRule() {
        UsbRule r = rules.getSelectionModel().getSelectedItem();
        if (r != null) {
            settings(ToolstackApi.USB_RULE_REMOVE, new ToolstackApi.UsbRuleChange(r.vm().toString(), r.vendorProduct(), r.serial(), r.port()));
        }
    }

    private <P> void settings(org.polydesk.protocol.rpc.RpcMethod<P, UsbSettings> method, P params) {
        problem.setText("");
        ui.request("change the USB settings", ui.toolstack().call(method, params), s -> {
            showSettings(s);
            refresh();
        }, e -> problem.setText(e.getMessage()));
    }
}
