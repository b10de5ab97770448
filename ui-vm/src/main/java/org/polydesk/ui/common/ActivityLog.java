package org.polydesk.ui.common;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** What happened, newest last: the user's actions and their results, polydeskd's events, every error. FX thread only. */
public final class ActivityLog {
    public static final int MAX_ENTRIES = 500;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final ObservableList<String> entries = FXCollections.observableArrayList();

    public ObservableList<String> entries() {
        return entries;
    }

    public void info(String text) {
        add("  ", text);
    }

    public void error(String text) {
        add("! ", text);
    }

    private void add(String mark, String text) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.remove(0, entries.size() - MAX_ENTRIES + 1);
        }
        entries.add(LocalTime.now().format(TIME) + " " + mark + text);
    }
}
