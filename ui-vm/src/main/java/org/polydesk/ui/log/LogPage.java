package org.polydesk.ui.log;

import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.polydesk.ui.common.ActivityLog;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * What happened: the user's requests and their outcome, polydeskd's lifecycle events and every
 * error (marked "!"), newest last. (polydeskd's own log comes with host.log, issue 20.)
 */
public final class LogPage {
    private final UiContext ui;
    private final ListView<String> list;
    private final VBox root;

    public LogPage(UiContext ui) {
        this.ui = ui;
        ActivityLog log = ui.log();
        list = new ListView<>(log.entries());
        list.setId("log-list");
        list.getStyleClass().add("log");
        log.entries().addListener((ListChangeListener<String>) c -> list.scrollTo(log.entries().size() - 1));
        VBox.setVgrow(list, Priority.ALWAYS);
        root = new VBox(10, Pages.title("Log"), new Label("This UI: requests, events and errors"), list);
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        list.scrollTo(ui.log().entries().size() - 1);
    }
}
