package org.polydesk.ui.media;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.scene.Node;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.ComboBox;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.ui.common.UiContext;

/**
 * Asks for one ISO file of polydeskd's media library (media.list), for a VM's CD drive: the VM
 * list's Insert CD… and the form's install ISO. An empty library is said, with where to fill it.
 */
public final class MediaChooser {
    public static final String EMPTY = "The media library is empty: add an ISO file on the Media page first.";

    private MediaChooser() {
    }

    /** Shows the chooser over {@code owner}'s window; {@code chosen} gets the medium picked, if any. */
    public static void choose(UiContext ui, Node owner, String header, Consumer<Medium> chosen) {
        ui.request("list the media", ui.toolstack().call(ToolstackApi.MEDIA_LIST), listed -> {
            List<Medium> media = listed.stream().filter(m -> !m.unfinished()).toList();
            if (media.isEmpty()) {
                ui.notices().error(EMPTY);
                return;
            }
            // Shown by name and volume label; a record's own text is not for people.
            Map<String, Medium> byText = new LinkedHashMap<>();
            for (Medium m : media) {
                byText.put(m.label() == null ? m.name() : m.name() + " (" + m.label() + ")", m);
            }
            List<String> texts = List.copyOf(byText.keySet());
            ChoiceDialog<String> dialog = new ChoiceDialog<>(texts.get(0), texts);
            dialog.setTitle("Media library");
            dialog.setHeaderText(header);
            dialog.setContentText("Medium:");
            dialog.getDialogPane().setId("media-chooser");
            dialog.getDialogPane().lookupButton(ButtonType.OK).setId("media-chooser-ok");
            if (dialog.getDialogPane().lookup(".combo-box") instanceof ComboBox<?> box) {
                box.setId("media-chooser-medium");
            }
            if (owner.getScene() != null) {
                dialog.initOwner(owner.getScene().getWindow());
            }
            dialog.showAndWait().map(byText::get).ifPresent(chosen);
        }, null);
    }
}
