package org.polydesk.ui.host;

import org.polydesk.protocol.toolstack.ToolstackApi;
import java.util.stream.Collectors;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/** The machine: hypervisor and version, CPUs, memory, VMs and free slots (host.info). */
public final class HostPage {
    private final UiContext ui;
    private final GridPane facts = new GridPane();
    private final Label status = new Label();
    private final VBox root;

    public HostPage(UiContext ui) {
        this.ui = ui;
        facts.setId("host-facts");
        facts.setHgap(16);
        facts.setVgap(6);
        status.setId("host-status");
        Button refresh = new Button("Refresh");
        refresh.setId("host-refresh");
        refresh.setOnAction(e -> refresh());
        // Shut down and reboot come with polydeskd's host.shutdown and host.reboot (issue 20), not before.
        root = new VBox(12, Pages.title("Host"), facts, status, refresh);
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        ui.request("read the host", ui.toolstack().call(ToolstackApi.HOST_INFO), this::show, e -> {
            facts.getChildren().clear();
            status.setText(Pages.unavailable("The host's facts", e));
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
}
