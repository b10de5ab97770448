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
 * error (marked "!"), newest last; and polydeskd's own log through {@code host.log} once it has one.
 */
public final class LogPage {
    private final UiContext ui;
    private final ListView<String> list;
    private final ListView<String> daemonLog = new ListView<>();
    private final Label daemonStatus = new Label();
    private final VBox root;

    public LogPage(UiContext ui) {
        this.ui = ui;
        ActivityLog log = ui.log();
        list = new ListView<>(log.entries());
        list.setId("log-list");
        list.getStyleClass().add("log");
        log.entries().addListener((ListChangeListener<String>) c -> list.scrollTo(log.entries().size() - 1));
        daemonLog.setId("daemon-log");
        daemonLog.getStyleClass().add("log");
        daemonStatus.setId("daemon-log-status");
        daemonStatus.setWrapText(true);
        VBox.setVgrow(list, Priority.ALWAYS);
        daemonLog.setPrefHeight(160);
        root = new VBox(10, Pages.title("Log"), new Label("This UI: requests, events and errors"), list,
                new Label("polydeskd"), daemonStatus, daemonLog);
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        ui.request("read polydeskd's log", ui.toolstack().daemonLog(200), lines -> {
            daemonLog.getItems().setAll(lines);
            daemonLog.setVisible(true);
            daemonStatus.setText("");
        }, e -> {
            daemonLog.getItems().clear();
            daemonLog.setVisible(false);
            daemonStatus.setText(Pages.unavailable("polydeskd's own log", e, "until then: journalctl -u polydeskd"));
        });
    }
}
