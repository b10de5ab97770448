package org.polydesk.ui.common;

import javafx.scene.control.Label;
import org.polydesk.ui.client.ToolstackException;

/** Small things every page builds the same way. */
public final class Pages {
    private Pages() {
    }

    public static Label title(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("page-title");
        return l;
    }

    /** A label that says why a page's data is missing; {@code feature} names what is missing in words. */
    public static String unavailable(String feature, ToolstackException e) {
        return feature + " could not be read: " + e.describe();
    }
}
