package org.polydesk.ui.common;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/**
 * The bar under the banner that shows the last error, or a short piece of news (a USB device
 * plugged in and where it went), until the user closes it. FX thread only.
 */
public final class Notices {
    private final Label text = new Label();
    private final HBox bar;

    public Notices() {
        text.setId("notice-text");
        text.setWrapText(true);
        text.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(text, Priority.ALWAYS);
        Button close = new Button("Dismiss");
        close.setId("notice-dismiss");
        close.setOnAction(e -> clear());
        bar = new HBox(12, text, close);
        bar.setId("notice");
        bar.getStyleClass().add("notice");
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 12, 6, 12));
        clear();
    }

    public HBox node() {
        return bar;
    }

    public void error(String message) {
        show(message, "notice-error");
    }

    /** News, not a failure: shown the same way, without the error's colour. */
    public void info(String message) {
        show(message, "notice-info");
    }

    private void show(String message, String style) {
        text.setText(message);
        bar.getStyleClass().removeAll("notice-error", "notice-info");
        bar.getStyleClass().add(style);
        bar.setVisible(true);
        bar.setManaged(true);
    }

    public void clear() {
        text.setText("");
        bar.setVisible(false);
        bar.setManaged(false);
    }

    public String current() {
        return bar.isVisible() ? text.getText() : null;
    }
}
