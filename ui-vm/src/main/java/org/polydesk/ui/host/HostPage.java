package org.polydesk.ui.host;

import java.util.stream.Collectors;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/** The machine: hypervisor and version, CPUs, memory, VMs and free slots (host.info); shut down and reboot. */
public final class HostPage {
    private final UiContext ui;
    private final GridPane facts = new GridPane();
    private final Label status = new Label();
    private final Label powerStatus = new Label();
    private final VBox root;

    public HostPage(UiContext ui) {
        this.ui = ui;
        facts.setId("host-facts");
        facts.setHgap(16);
        facts.setVgap(6);
        status.setId("host-status");
        powerStatus.setId("host-power-status");
        powerStatus.setWrapText(true);
        Button refresh = new Button("Refresh");
        refresh.setId("host-refresh");
        refresh.setOnAction(e -> refresh());
        Button shutdown = new Button("Shut down the machine…");
        shutdown.setId("host-shutdown");
        shutdown.setOnAction(e -> power("Shut down", true));
        Button reboot = new Button("Reboot the machine…");
        reboot.setId("host-reboot");
        reboot.setOnAction(e -> power("Reboot", false));
        root = new VBox(12, Pages.title("Host"), facts, status, refresh, new HBox(8, shutdown, reboot), powerStatus);
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        ui.request("read the host", ui.toolstack().hostInfo(), this::show, e -> {
            facts.getChildren().clear();
            status.setText(Pages.unavailable("The host's facts", e, null));
        });
    }

    private void show(HostInfo h) {
        facts.getChildren().clear();
        status.setText("");
        int r = 0;
        r = fact(r, "Host name", "host-name", h.hostname());
        r = fact(r, "Hypervisor", "host-hypervisor", hypervisor(h.backend()));
        r = fact(r, "Version", "host-version", h.backendVersion());
        r = fact(r, "Accelerator", "host-accelerator", h.accelerator());
        r = fact(r, "CPUs", "host-cpus", String.valueOf(h.cpus()));
        r = fact(r, "Memory", "host-memory", String.format("%,d MiB", h.memoryMib()));
        r = fact(r, "VMs", "host-vms", h.vmsDefined() + " defined, " + h.vmsRunning() + " running");
        r = fact(r, "Free slots", "host-free-slots", h.freeSlots() == null || h.freeSlots().isEmpty() ? "none"
                : h.freeSlots().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        fact(r, "Definitions in", "host-state-dir", h.stateDirectory());
    }

    static String hypervisor(String backend) {
        if ("libxl".equals(backend)) {
            return "Xen (libxl)";
        }
        if ("qemu".equals(backend)) {
            return "QEMU (no Xen on this machine)";
        }
        return backend;
    }

    private int fact(int row, String name, String id, String value) {
        Label n = new Label(name);
        n.getStyleClass().add("fact-name");
        Label v = new Label(value == null ? "—" : value);
        v.setId(id);
        facts.add(n, 0, row);
        facts.add(v, 1, row);
        return row + 1;
    }

    private void power(String verb, boolean shutdown) {
        ButtonType yes = new ButtonType(verb, ButtonBar.ButtonData.OK_DONE);
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION,
                verb + " the whole machine? Every running VM is stopped first.", yes, ButtonType.CANCEL);
        confirm.setHeaderText(verb + " the machine?");
        confirm.getDialogPane().lookupButton(yes).setId("confirm-power");
        if (root.getScene() != null) {
            confirm.initOwner(root.getScene().getWindow());
        }
        if (confirm.showAndWait().filter(b -> b == yes).isEmpty()) {
            return;
        }
        ui.log().info(verb.toLowerCase() + " the machine");
        ui.request(verb.toLowerCase() + " the machine", shutdown ? ui.toolstack().shutdownHost() : ui.toolstack().rebootHost(),
                r -> powerStatus.setText(verb + " requested."),
                e -> powerStatus.setText(Pages.unavailable(verb + " from the UI", e, null)));
    }
}
