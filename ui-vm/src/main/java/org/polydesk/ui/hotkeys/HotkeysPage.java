package org.polydesk.ui.hotkeys;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.ui.client.ToolstackException;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * The input server's switching chords and pointer mode, read with input.config.get and saved with
 * input.config.set (through polydeskd, which forwards to input-server). Each chord is a row (chord,
 * action, remove); a refusal puts each problem beside its row's chord or action, or beside the
 * pointer mode, and keeps what was typed. input-server uses saved chords from the next key press.
 */
public final class HotkeysPage {
    private static final Pattern ROW_FIELD = Pattern.compile("^" + Pattern.quote(InputSettings.HOTKEYS)
            + "\\[(\\d+)\\]\\.(\\w+)$");

    private final UiContext ui;
    private final VBox rowsBox = new VBox(6);
    private final List<Row> rows = new ArrayList<>();
    private final ChoiceBox<String> pointer = new ChoiceBox<>();
    private final Label pointerError = errorLabel("pointer-error");
    private final Label generalError = errorLabel("hotkeys-error");
    private final Label status = new Label();
    private final Button add = new Button("Add a chord");
    private final Button save = new Button("Save");
    private final Button reload = new Button("Reload");
    private final ScrollPane scroll = new ScrollPane(rowsBox);
    private final VBox editor;
    private final VBox root;

    /** One chord's row. */
    private final class Row {
        final TextField chord = new TextField();
        final TextField action = new TextField();
        final Button remove = new Button("Remove");
        final Label error = errorLabel(null);
        final VBox node;

        Row(InputSettings.Hotkey h) {
            chord.setText(h.chord());
            chord.setPromptText("e.g. ctrl+alt+f1");
            chord.setPrefColumnCount(16);
            action.setText(h.action());
            action.setPromptText("slot N, next or previous");
            action.setPrefColumnCount(10);
            remove.setOnAction(e -> {
                rows.remove(this);
                layoutRows();
            });
            HBox line = new HBox(8, chord, action, remove);
            line.setAlignment(Pos.CENTER_LEFT);
            node = new VBox(2, line, error);
        }

        void number(int i) {
            chord.setId("hotkey-chord-" + i);
            action.setId("hotkey-action-" + i);
            remove.setId("hotkey-remove-" + i);
            error.setId("hotkey-error-" + i);
        }
    }

    public HotkeysPage(UiContext ui) {
        this.ui = ui;
        status.setId("hotkeys-status");
        status.setWrapText(true);
        pointer.setId("pointer");
        for (InputSettings.PointerMode m : InputSettings.PointerMode.values()) {
            pointer.getItems().add(m.wireName());
        }
        add.setId("hotkey-add");
        add.setOnAction(e -> {
            Row r = new Row(new InputSettings.Hotkey("", ""));
            rows.add(r);
            layoutRows();
            // The new row is the last: bring it into view, ready to type in.
            scroll.applyCss();
            scroll.layout();
            scroll.setVvalue(scroll.getVmax());
            r.chord.requestFocus();
        });
        save.setId("hotkeys-save");
        save.setOnAction(e -> save());
        reload.setId("hotkeys-reload");
        reload.setOnAction(e -> refresh());
        Label help = new Label("A chord is modifiers (ctrl, alt, shift, meta) and a key, like ctrl+alt+f1; its action is"
                + " \"slot N\" (0: this control UI, 1–9: the VMs), \"next\", \"previous\" or \"console\" (dom0's text console,"
                + " where the administrator logs in). Pointer: auto gives"
                + " places to VMs with a USB tablet and motion to the others; relative and absolute treat every VM alike.");
        help.setWrapText(true);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(360);
        HBox pointerLine = new HBox(8, new Label("Pointer"), pointer, pointerError);
        pointerLine.setAlignment(Pos.CENTER_LEFT);
        editor = new VBox(10, help, pointerLine, scroll, generalError, new HBox(8, add, save, reload));
        editor.setId("hotkeys-editor");
        showEditor(false);
        root = new VBox(12, Pages.title("Hotkeys"), status, editor);
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        ui.request("read the hotkeys", ui.toolstack().call(ToolstackApi.INPUT_CONFIG_GET), s -> {
            show(s);
            status.setText("");
        }, e -> {
            showEditor(false);
            status.setText(Pages.unavailable("The hotkeys", e));
        });
    }

    private void show(InputSettings s) {
        rows.clear();
        for (InputSettings.Hotkey h : s.hotkeys()) {
            rows.add(new Row(h));
        }
        pointer.setValue(s.pointer());
        layoutRows();
        clearErrors();
        showEditor(true);
    }

    private void layoutRows() {
        rowsBox.getChildren().clear();
        for (int i = 0; i < rows.size(); i++) {
            rows.get(i).number(i);
            rowsBox.getChildren().add(rows.get(i).node);
        }
    }

    private void showEditor(boolean shown) {
        editor.setVisible(shown);
        editor.setManaged(shown);
    }

    private void save() {
        List<InputSettings.Hotkey> list = new ArrayList<>();
        for (Row r : rows) {
            list.add(new InputSettings.Hotkey(r.chord.getText().strip(), r.action.getText().strip()));
        }
        InputSettings wanted = new InputSettings(list, pointer.getValue());
        clearErrors();
        save.setDisable(true);
        status.setText("Saving…");
        ui.log().info("save the hotkeys (" + list.size() + " chords, pointer " + wanted.pointer() + ")");
        ui.request("save the hotkeys", ui.toolstack().call(ToolstackApi.INPUT_CONFIG_SET, wanted), stored -> {
            save.setDisable(false);
            show(stored);
            status.setText("Saved. input-server uses them from the next key press.");
        }, e -> {
            save.setDisable(false);
            refused(e);
        });
    }

    /** Each problem beside its field; what was typed stays to be corrected. */
    private void refused(ToolstackException e) {
        if (e.problems().isEmpty()) {
            status.setText("The hotkeys were not saved: " + e.describe());
            return;
        }
        status.setText("The hotkeys were not saved: correct what is marked.");
        List<String> general = new ArrayList<>();
        TextField first = null;
        for (Problem p : e.problems()) {
            Matcher m = ROW_FIELD.matcher(p.field());
            if (m.matches() && Integer.parseInt(m.group(1)) < rows.size()) {
                Row r = rows.get(Integer.parseInt(m.group(1)));
                boolean action = InputSettings.Hotkey.ACTION.equals(m.group(2));
                append(r.error, (action ? "action: " : "chord: ") + p.problem());
                if (first == null) {
                    first = action ? r.action : r.chord;
                }
            } else if (InputSettings.POINTER.equals(p.field())) {
                append(pointerError, p.problem());
            } else {
                general.add(p.problem());
            }
        }
        generalError.setText(String.join("\n", general));
        if (first != null) {
            // The cursor goes to the first field to correct.
            first.requestFocus();
            first.selectAll();
        }
    }

    private static void append(Label l, String text) {
        l.setText(l.getText() == null || l.getText().isEmpty() ? text : l.getText() + "\n" + text);
    }

    private void clearErrors() {
        for (Row r : rows) {
            r.error.setText("");
        }
        pointerError.setText("");
        generalError.setText("");
    }

    private static Label errorLabel(String id) {
        Label l = new Label();
        if (id != null) {
            l.setId(id);
        }
        l.getStyleClass().add("field-error");
        l.setWrapText(true);
        return l;
    }
}
