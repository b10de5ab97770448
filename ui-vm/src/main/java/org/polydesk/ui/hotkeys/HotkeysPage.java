package org.polydesk.ui.hotkeys;

import java.util.List;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.ui.client.Hotkey;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * The input server's switching chords, read and changed through polydeskd ({@code input.config.get}
 * and {@code input.config.set}, issue 5); until polydeskd has them the page says so.
 */
public final class HotkeysPage {
    private final UiContext ui;
    private final TableView<Hotkey> table = new TableView<>();
    private final TextField chord = new TextField();
    private final Button change = new Button("Change");
    private final Label status = new Label();
    private final VBox root;

    public HotkeysPage(UiContext ui) {
        this.ui = ui;
        table.setId("hotkeys-table");
        table.setPlaceholder(new Label("No hotkeys listed."));
        status.setId("hotkeys-status");
        status.setWrapText(true);
        chord.setId("hotkey-chord");
        chord.setPromptText("e.g. Ctrl+Alt+F1");
        change.setId("hotkey-change");
        TableColumn<Hotkey, String> action = new TableColumn<>("Action");
        action.setCellValueFactory(x -> new ReadOnlyStringWrapper(x.getValue().action()));
        TableColumn<Hotkey, String> keys = new TableColumn<>("Chord");
        keys.setCellValueFactory(x -> new ReadOnlyStringWrapper(x.getValue().chord()));
        table.getColumns().addAll(List.of(action, keys));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        change.setOnAction(e -> change());
        root = new VBox(12, Pages.title("Hotkeys"), status, table, new HBox(8, new Label("New chord for the selected action"), chord, change));
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        ui.request("read the hotkeys", ui.toolstack().hotkeys(), list -> {
            table.getItems().setAll(list);
            table.setDisable(false);
            chord.setDisable(false);
            change.setDisable(false);
            status.setText("");
        }, e -> {
            table.getItems().clear();
            table.setDisable(true);
            chord.setDisable(true);
            change.setDisable(true);
            status.setText(Pages.unavailable("Changing the hotkeys", e, "issue 5: input.config.get and input.config.set"));
        });
    }

    private void change() {
        Hotkey h = table.getSelectionModel().getSelectedItem();
        if (h == null || chord.getText().isBlank()) {
            status.setText("Select an action and type its new chord.");
            return;
        }
        ui.log().info("set hotkey " + h.action() + " to " + chord.getText().strip());
        ui.request("change the hotkey", ui.toolstack().setHotkey(h.action(), chord.getText().strip()), r -> refresh(),
                e -> status.setText("The chord was not changed: " + e.describe()));
    }
}
