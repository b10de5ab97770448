package org.polydesk.ui.common;

import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.TableColumn;
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

    /** A read-only text column of a table: {@code text} of each row's item. */
    public static <T> TableColumn<T, String> column(String title, Function<T, String> text) {
        TableColumn<T, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(text.apply(x.getValue())));
        return c;
    }

    /** A label that says why a page's data is missing; {@code feature} names what is missing in words. */
    public static String unavailable(String feature, ToolstackException e) {
        return feature + " could not be read: " + e.describe();
    }
}
