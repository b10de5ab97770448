package org.polydesk.ui.gpu;

import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.ToolstackApi.GpuDevice;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * The host's display devices and which VM owns the GPU (one owner at most; polydeskd enforces it).
 * Needs {@code gpu.list} and {@code gpu.assign} (issue 7); until polydeskd has them it says so.
 */
public final class GpuPage {
    private final UiContext ui;
    private final List<VmStatus> vms;
    private final TableView<GpuDevice> table = new TableView<>();
    private final ComboBox<String> owner = new ComboBox<>();
    private final Button assign = new Button("Assign");
    private final Label status = new Label();
    private final VBox root;

    public GpuPage(UiContext ui, List<VmStatus> vms) {
        this.ui = ui;
        this.vms = vms;
        table.setId("gpu-table");
        table.setPlaceholder(new Label("No display devices listed."));
        status.setId("gpu-status");
        status.setWrapText(true);
        owner.setId("gpu-owner");
        assign.setId("gpu-assign");
        table.getColumns().addAll(List.of(
                Pages.column("PCI address", d -> d.address()), Pages.column("Vendor", d -> d.vendor()), Pages.column("Device", d -> d.device()),
                Pages.column("IOMMU group", d -> d.iommuGroup() == null ? "" : String.valueOf(d.iommuGroup())),
                Pages.column("Driver", d -> d.driver()), Pages.column("Owner", d -> d.ownerName() == null ? "dom0" : d.ownerName())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        assign.setOnAction(e -> assign());
        root = new VBox(12, Pages.title("Graphics (GPU passthrough)"), status, table,
                new HBox(8, new Label("Give the selected device to"), owner, assign));
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        owner.setItems(FXCollections.observableArrayList(vms.stream().map(v -> v.definition().name()).toList()));
        owner.getItems().add(0, "(nobody: dom0 keeps it)");
        ui.request("list the display devices", ui.toolstack().call(ToolstackApi.GPU_LIST), list -> {
            table.getItems().setAll(list);
            status.setText(list.isEmpty() ? "This machine has no display device that can be passed through." : "");
            // Nothing to pass through, nothing to assign.
            table.setDisable(list.isEmpty());
            owner.setDisable(list.isEmpty());
            assign.setDisable(list.isEmpty());
        }, e -> {
            table.getItems().clear();
            table.setDisable(true);
            owner.setDisable(true);
            assign.setDisable(true);
            status.setText(Pages.unavailable("The display devices", e));
        });
    }

    private void assign() {
        GpuDevice d = table.getSelectionModel().getSelectedItem();
        if (d == null || owner.getValue() == null) {
            status.setText("Select a device and the VM to give it to.");
            return;
        }
        String vm = owner.getSelectionModel().getSelectedIndex() == 0 ? null : owner.getValue();
        ui.log().info("give GPU " + d.address() + " to " + (vm == null ? "dom0" : "'" + vm + "'"));
        ui.request("assign the GPU", ui.toolstack().call(ToolstackApi.GPU_ASSIGN, new ToolstackApi.GpuAssign(d.address(), vm)), r -> refresh(), null);
    }

}
