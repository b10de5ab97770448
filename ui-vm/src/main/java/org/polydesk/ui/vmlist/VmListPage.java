package org.polydesk.ui.vmlist;

import org.polydesk.protocol.toolstack.ToolstackApi;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.ui.client.ToolstackException;
import org.polydesk.ui.common.UiContext;
import org.polydesk.ui.media.MediaChooser;

/**
 * The VMs and what they are doing, kept live by polydeskd's events: a VM's row changes when an
 * event about it arrives, never from the answer to the user's own request. Start (or resume from
 * disk), stop, force off, reboot, pause, resume, suspend to disk, insert a CD from the media library
 * and eject it, switch to, edit, delete (after a confirmation), new and import. A VM with an action
 * under way shows it in its state and takes no other until the VM settles.
 */
public final class VmListPage {
    /** How long an ACPI stop waits for the guest before polydeskd forces it off. */
    public static final int STOP_TIMEOUT_SECONDS = 60;

    private final UiContext ui;
    private final ObservableList<VmStatus> vms = FXCollections.observableArrayList();
    /** What the user asked that has not shown up in an event yet: "starting…", "stopping…". */
    private final Map<UUID, String> pending = new HashMap<>();
    /** The seq of the newest event about each VM, so that an older event's read cannot undo a newer one's. */
    private final Map<UUID, Long> latestEvent = new HashMap<>();
    private final TableView<VmStatus> table = new TableView<>(vms);
    private final Button start = button("Start", "start");
    private final Button stop = button("Stop", "stop");
    private final Button forceOff = button("Force off", "force-off");
    private final Button reboot = button("Reboot", "reboot");
    private final Button pause = button("Pause", "pause");
    private final Button resume = button("Resume", "resume");
    private final Button suspend = button("Suspend", "suspend");
    private final Button insertCd = button("Insert CD…", "insert-cd");
    private final Button ejectCd = button("Eject CD", "eject-cd");
    private final Button switchTo = button("Switch to", "switch-to");
    private final Button edit = button("Edit…", "edit-vm");
    private final Button delete = button("Delete…", "delete-vm");
    private final Button create = button("New VM…", "new-vm");
    private final Button importCfg = button("Import xl.cfg…", "import-xlcfg");
    private final VBox root;
    private Consumer<VmDefinition> onEdit = d -> { };
    private Runnable onCreate = () -> { };
    private Runnable onImport = () -> { };

    public VmListPage(UiContext ui) {
        this.ui = ui;
        table.setId("vm-table");
        table.setPlaceholder(new Label("No VMs yet. Make one with “New VM…” or import an xl.cfg file."));
        table.getColumns().addAll(List.of(
                text("Name", "col-name", 200, s -> s.definition().name()),
                text("Slot", "col-slot", 50, s -> s.definition().slot() == null ? "" : String.valueOf(s.definition().slot())),
                colourColumn(),
                text("State", "col-state", 110, this::stateText),
                text("Memory", "col-memory", 90, s -> s.definition().memoryMib() + " MiB"),
                text("vCPUs", "col-vcpus", 60, s -> String.valueOf(s.definition().vcpus())),
                text("GPU", "col-gpu", 140, s -> s.definition().gpu() == null ? "" : "GPU " + s.definition().gpu()),
                text("Detail", "col-detail", 260, s -> s.detail() == null ? "" : s.detail())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> updateButtons());
        VBox.setVgrow(table, Priority.ALWAYS);

        start.setOnAction(e -> selected().ifPresent(this::start));
        stop.setOnAction(e -> selected().ifPresent(this::stop));
        forceOff.setOnAction(e -> selected().ifPresent(this::forceOff));
        reboot.setOnAction(e -> selected().ifPresent(s -> act(s, "rebooting…", "reboot",
                ui.toolstack().call(ToolstackApi.VM_REBOOT, new ToolstackApi.VmStop(id(s), STOP_TIMEOUT_SECONDS)))));
        pause.setOnAction(e -> selected().ifPresent(s -> act(s, "pausing…", "pause",
                ui.toolstack().call(ToolstackApi.VM_PAUSE, new ToolstackApi.VmRef(id(s))))));
        resume.setOnAction(e -> selected().ifPresent(s -> act(s, "resuming…", "resume",
                ui.toolstack().call(ToolstackApi.VM_RESUME, new ToolstackApi.VmRef(id(s))))));
        suspend.setOnAction(e -> selected().ifPresent(s -> act(s, "suspending…", "suspend",
                ui.toolstack().call(ToolstackApi.VM_SUSPEND, new ToolstackApi.VmRef(id(s))))));
        insertCd.setOnAction(e -> selected().ifPresent(this::chooseCd));
        ejectCd.setOnAction(e -> selected().ifPresent(this::ejectCd));
        switchTo.setOnAction(e -> selected().ifPresent(this::switchTo));
        edit.setOnAction(e -> selected().ifPresent(s -> onEdit.accept(s.definition())));
        delete.setOnAction(e -> selected().ifPresent(this::confirmDelete));
        create.setOnAction(e -> onCreate.run());
        importCfg.setOnAction(e -> onImport.run());
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox power = new HBox(8, start, stop, forceOff, reboot, pause, resume, suspend, switchTo);
        power.setAlignment(Pos.CENTER_LEFT);
        HBox actions = new HBox(8, insertCd, ejectCd, edit, delete, gap, create, importCfg);
        actions.setAlignment(Pos.CENTER_LEFT);
        Label title = new Label("Virtual machines");
        title.getStyleClass().add("page-title");
        root = new VBox(10, title, power, actions, table);
        root.setPadding(new Insets(16));
        updateButtons();
    }

    public VBox node() {
        return root;
    }

    public ObservableList<VmStatus> vms() {
        return vms;
    }

    public void onEdit(Consumer<VmDefinition> handler) {
        onEdit = handler;
    }

    public void onCreate(Runnable handler) {
        onCreate = handler;
    }

    public void onImport(Runnable handler) {
        onImport = handler;
    }

    /** Reads the whole list again (at start and after every reconnect). */
    public void refresh() {
        ui.request("list the VMs", ui.toolstack().call(ToolstackApi.VM_LIST), list -> {
            UUID keep = selected().map(s -> s.definition().id()).orElse(null);
            vms.setAll(list.stream().sorted(BY_SLOT).toList());
            pending.keySet().retainAll(list.stream().map(s -> s.definition().id()).toList());
            reselect(keep);
        }, null);
    }

    /** Brings the VM an event is about up to date. */
    public void onEvent(LifecycleEvent e) {
        ui.log().info("event: " + e.name() + " " + e.type().wireName() + (e.detail() == null ? "" : " (" + e.detail() + ")"));
        if (e.type() == LifecycleEvent.Type.DELETED) {
            pending.remove(e.vm());
            vms.removeIf(s -> s.definition().id().equals(e.vm()));
            updateButtons();
            return;
        }
        // starting and stopping are on the way; the state the VM settles in ends what the user asked for.
        boolean settles = e.type().settled();
        latestEvent.put(e.vm(), e.seq());
        ui.request("read '" + e.name() + "'", ui.toolstack().call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(e.vm().toString())), s -> {
            if (settles) {
                // What the user asked for has happened (or the VM ended another way): the event says so.
                pending.remove(e.vm());
            }
            // Reads run on several connections: one made for an older event may answer last, and
            // must not put back what the VM was before. A newer event's own read brings it up to date.
            if (latestEvent.getOrDefault(e.vm(), e.seq()) == e.seq()) {
                upsert(s);
            } else {
                table.refresh();
                updateButtons();
            }
        }, err -> {
            if (settles) {
                pending.remove(e.vm());
            }
            if (err.errorCode() == ErrorCode.NOT_FOUND) {
                // Deleted meanwhile; its own deleted event removes the row.
                return;
            }
            ui.notices().error("Could not read '" + e.name() + "': " + err.describe());
        });
    }

    private void upsert(VmStatus s) {
        UUID keep = selected().map(v -> v.definition().id()).orElse(null);
        for (int i = 0; i < vms.size(); i++) {
            if (vms.get(i).definition().id().equals(s.definition().id())) {
                vms.set(i, s);
                FXCollections.sort(vms, BY_SLOT);
                reselect(keep);
                return;
            }
        }
        vms.add(s);
        FXCollections.sort(vms, BY_SLOT);
        reselect(keep);
    }

    private void reselect(UUID id) {
        if (id != null) {
            vms.stream().filter(v -> v.definition().id().equals(id)).findFirst()
                    .ifPresent(v -> table.getSelectionModel().select(v));
        }
        table.refresh();
        updateButtons();
    }

    private static final Comparator<VmStatus> BY_SLOT = Comparator
            .comparing((VmStatus s) -> s.definition().slot() == null ? Integer.MAX_VALUE : s.definition().slot())
            .thenComparing(s -> s.definition().name());

    private String stateText(VmStatus s) {
        String p = pending.get(s.definition().id());
        return p != null ? p : s.state().wireName();
    }

    private Optional<VmStatus> selected() {
        return Optional.ofNullable(table.getSelectionModel().getSelectedItem());
    }

    private void updateButtons() {
        VmStatus s = table.getSelectionModel().getSelectedItem();
        boolean none = s == null;
        boolean busy = !none && pending.containsKey(s.definition().id());
        VmState st = none ? null : s.state();
        start.setDisable(none || busy || st.isActive());
        boolean up = !none && (st == VmState.RUNNING || st == VmState.PAUSED);
        stop.setDisable(none || busy || !up);
        forceOff.setDisable(none || !(up || st == VmState.STOPPING));
        reboot.setDisable(none || busy || !up);
        pause.setDisable(none || busy || st != VmState.RUNNING);
        resume.setDisable(none || busy || st != VmState.PAUSED);
        suspend.setDisable(none || busy || !up);
        boolean cdDrive = !none && s.definition().disks().stream().anyMatch(d -> d.cdrom());
        insertCd.setDisable(none || busy || !up || !cdDrive);
        ejectCd.setDisable(none || busy || !up || !cdDrive);
        switchTo.setDisable(none || st != VmState.RUNNING);
        edit.setDisable(none);
        delete.setDisable(none || busy || st.isActive());
    }

    private void markPending(VmStatus s, String what) {
        pending.put(s.definition().id(), what);
        table.refresh();
        updateButtons();
    }

    private void clearPending(VmStatus s) {
        pending.remove(s.definition().id());
        table.refresh();
        updateButtons();
    }

    private void start(VmStatus s) {
        String name = s.definition().name();
        markPending(s, "starting…");
        ui.log().info("start '" + name + "'");
        ui.request("start '" + name + "'", ui.toolstack().call(ToolstackApi.VM_START, new ToolstackApi.VmRef(id(s))), r -> { }, err -> {
            clearPending(s);
            ui.notices().error("Could not start '" + name + "': " + err.describe());
        });
    }

    private void stop(VmStatus s) {
        String name = s.definition().name();
        markPending(s, "stopping…");
        ui.log().info("stop '" + name + "' (forced off after " + STOP_TIMEOUT_SECONDS + " s)");
        ui.request("stop '" + name + "'", ui.toolstack().call(ToolstackApi.VM_STOP, new ToolstackApi.VmStop(id(s), STOP_TIMEOUT_SECONDS)), r -> { }, err -> {
            clearPending(s);
            ui.notices().error("Could not stop '" + name + "': " + err.describe());
        });
    }

    private void forceOff(VmStatus s) {
        String name = s.definition().name();
        markPending(s, "forcing off…");
        ui.log().info("force off '" + name + "'");
        ui.request("force off '" + name + "'", ui.toolstack().call(ToolstackApi.VM_DESTROY, new ToolstackApi.VmRef(id(s))), r -> { }, err -> {
            clearPending(s);
            ui.notices().error("Could not force off '" + name + "': " + err.describe());
        });
    }

    /**
     * A lifecycle action that answers at once: the row says {@code doing} until the event of the
     * state the VM settles in (or the refusal) arrives, and no other action can be started meanwhile.
     */
    private void act(VmStatus s, String doing, String verb, java.util.concurrent.CompletableFuture<VmStatus> call) {
        String name = s.definition().name();
        markPending(s, doing);
        ui.log().info(verb + " '" + name + "'");
        ui.request(verb + " '" + name + "'", call, r -> { }, err -> {
            clearPending(s);
            ui.notices().error("Could not " + verb + " '" + name + "': " + err.describe());
        });
    }

    /** Offers the media library's ISO files; the chosen one goes into the VM's CD drive. */
    private void chooseCd(VmStatus s) {
        String name = s.definition().name();
        MediaChooser.choose(ui, root, "Insert a CD into '" + name + "'", m -> {
            markPending(s, "inserting CD…");
            ui.log().info("insert " + m.name() + " into '" + name + "'");
            ui.request("insert a CD into '" + name + "'", ui.toolstack().call(ToolstackApi.VM_CD_INSERT,
                    new ToolstackApi.VmCdInsert(id(s), m.path(), null)), r -> {
                clearPending(s);
                upsert(r);
            }, err -> {
                clearPending(s);
                ui.notices().error("Could not insert " + m.name() + " into '" + name + "': " + err.describe());
            });
        });
    }

    private void ejectCd(VmStatus s) {
        String name = s.definition().name();
        markPending(s, "ejecting CD…");
        ui.log().info("eject the CD of '" + name + "'");
        ui.request("eject the CD of '" + name + "'", ui.toolstack().call(ToolstackApi.VM_CD_EJECT,
                new ToolstackApi.VmCdEject(id(s), null)), r -> {
            clearPending(s);
            upsert(r);
        }, err -> {
            clearPending(s);
            ui.notices().error("Could not eject the CD of '" + name + "': " + err.describe());
        });
    }

    private void switchTo(VmStatus s) {
        String name = s.definition().name();
        ui.log().info("switch to '" + name + "'");
        ui.request("switch to '" + name + "'", ui.toolstack().call(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef(id(s))), r -> ui.log().info("switched to '" + name + "'"),
                err -> ui.notices().error(switchError(name, err)));
    }

    static String switchError(String name, ToolstackException err) {
        if (err.errorCode() == ErrorCode.SERVICE_UNAVAILABLE) {
            // polydeskd's message says which service (input-server) and where it looked for it.
            return "Cannot switch to '" + name + "': " + err.getMessage();
        }
        return "Cannot switch to '" + name + "': " + err.describe();
    }

    private void confirmDelete(VmStatus s) {
        String name = s.definition().name();
        ButtonType deleteIt = new ButtonType("Delete VM", ButtonBar.ButtonData.OK_DONE);
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION,
                "Delete '" + name + "' (slot " + s.definition().slot() + ")? Its definition is removed; its disk images are kept.",
                deleteIt, ButtonType.CANCEL);
        confirm.setTitle("Delete VM");
        confirm.setHeaderText("Delete '" + name + "'?");
        confirm.getDialogPane().setId("confirm-delete-dialog");
        confirm.getDialogPane().lookupButton(deleteIt).setId("confirm-delete");
        confirm.getDialogPane().lookupButton(ButtonType.CANCEL).setId("cancel-delete");
        if (root.getScene() != null) {
            confirm.initOwner(root.getScene().getWindow());
        }
        confirm.showAndWait().filter(b -> b == deleteIt).ifPresentOrElse(b -> {
            ui.log().info("delete '" + name + "'");
            ui.request("delete '" + name + "'", ui.toolstack().call(ToolstackApi.VM_DELETE, new ToolstackApi.VmRef(id(s))), r -> { }, null);
        }, () -> ui.log().info("kept '" + name + "' (delete cancelled)"));
    }

    private static String id(VmStatus s) {
        return s.definition().id().toString();
    }

    private static Button button(String text, String id) {
        Button b = new Button(text);
        b.setId(id);
        return b;
    }

    private static TableColumn<VmStatus, String> text(String title, String id, double width,
                                                       java.util.function.Function<VmStatus, String> value) {
        TableColumn<VmStatus, String> c = new TableColumn<>(title);
        c.setId(id);
        c.setPrefWidth(width);
        c.setSortable(false);
        c.setCellValueFactory(f -> new ReadOnlyStringWrapper(value.apply(f.getValue())));
        return c;
    }

    private static TableColumn<VmStatus, String> colourColumn() {
        TableColumn<VmStatus, String> c = new TableColumn<>("Colour");
        c.setId("col-colour");
        c.setPrefWidth(100);
        c.setSortable(false);
        c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(f.getValue().definition().colour()));
        c.setCellFactory(col -> new TableCell<>() {
            private final Rectangle swatch = new Rectangle(14, 14);

            @Override
            protected void updateItem(String colour, boolean empty) {
                super.updateItem(colour, empty);
                if (empty || colour == null) {
                    setText(null);
                    setGraphic(null);
                    return;
                }
                try {
                    swatch.setFill(Color.web(colour));
                    setGraphic(swatch);
                } catch (IllegalArgumentException e) {
                    setGraphic(null);
                }
                setText(colour);
            }
        });
        return c;
    }
}
