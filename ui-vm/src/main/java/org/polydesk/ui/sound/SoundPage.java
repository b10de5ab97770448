package org.polydesk.ui.sound;

import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.audio.AudioChange;
import org.polydesk.protocol.audio.AudioPolicy;
import org.polydesk.protocol.audio.AudioStatus;
import org.polydesk.protocol.audio.VmAudio;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * The VMs' sound: whether dom0's sound server answers, whose sound is heard (only the VM in front,
 * or every VM), and each VM's volume, mute and microphone permission with what is true now. What
 * polydeskd refuses is shown under the controls; nothing is changed then.
 */
public final class SoundPage {
    private static final String FOCUSED = "Only the VM in front", MIX = "Every VM at once";

    private final UiContext ui;
    private final Label server = new Label();
    private final ComboBox<String> policy = new ComboBox<>();
    private final TableView<AudioStatus.Vm> table = new TableView<>();
    private final Spinner<Integer> volume = new Spinner<>(0, VmAudio.MAX_VOLUME, VmAudio.MAX_VOLUME, 5);
    private final CheckBox muted = new CheckBox("Muted");
    private final CheckBox microphone = new CheckBox("May have the microphone (while in front)");
    private final Button apply = new Button("Set");
    private final Label problem = new Label();
    private final VBox root;
    /** Set while the page shows what polydeskd said, so that showing it is not taken for a change. */
    private boolean showing;

    public SoundPage(UiContext ui) {
        this.ui = ui;
        server.setId("sound-server");
        server.setWrapText(true);
        policy.setId("sound-policy");
        policy.getItems().setAll(FOCUSED, MIX);
        policy.setOnAction(e -> {
            if (!showing && policy.getValue() != null) {
                set(new AudioChange(MIX.equals(policy.getValue()) ? AudioPolicy.MIX : AudioPolicy.FOCUSED, null, null, null, null));
            }
        });
        table.setId("sound-table");
        table.setPlaceholder(new Label("No VMs."));
        table.getColumns().addAll(List.of(
                Pages.column("VM", AudioStatus.Vm::name),
                Pages.column("Volume", v -> v.volume() + " %" + (v.muted() ? " (muted)" : "")),
                Pages.column("Microphone", v -> v.microphone() ? "allowed" : "not allowed"),
                Pages.column("Now", SoundPage::now)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getSelectionModel().selectedItemProperty().addListener((o, was, v) -> showSelected(v));
        volume.setId("sound-volume");
        volume.setEditable(true);
        muted.setId("sound-muted");
        microphone.setId("sound-microphone");
        apply.setId("sound-apply");
        apply.setOnAction(e -> applySelected());
        problem.setId("sound-problem");
        problem.setWrapText(true);
        problem.getStyleClass().add("error");
        HBox controls = new HBox(8, new Label("Volume"), volume, muted, microphone, apply);
        controls.setAlignment(Pos.CENTER_LEFT);
        root = new VBox(12, Pages.title("Sound"), server, new HBox(8, new Label("Heard:"), policy), table, controls, problem);
        root.setPadding(new Insets(16));
        showSelected(null);
    }

    public VBox node() {
        return root;
    }

    private static String now(AudioStatus.Vm v) {
        String out = v.streams() == 0 ? "no sound card playing" : v.heard() ? "heard" : "not heard";
        return v.listening() ? out + ", hears the microphone" : out;
    }

    public void refresh() {
        ui.request("read the sound settings", ui.toolstack().call(ToolstackApi.AUDIO_STATUS, null), this::show,
                e -> server.setText(Pages.unavailable("Sound", e)));
    }

    private void show(AudioStatus s) {
        showing = true;
        try {
            server.setText(s.serverUp() ? "dom0's sound server answers (" + s.server() + ")."
                    : "dom0's sound server does not answer: " + s.problem() + ". VMs started now are silent.");
            policy.setValue(s.policy() == AudioPolicy.MIX ? MIX : FOCUSED);
            AudioStatus.Vm selected = table.getSelectionModel().getSelectedItem();
            table.getItems().setAll(s.vms());
            if (selected != null) {
                s.vms().stream().filter(v -> v.id().equals(selected.id())).findFirst()
                        .ifPresent(v -> table.getSelectionModel().select(v));
            }
        } finally {
            showing = false;
        }
    }

    private void showSelected(AudioStatus.Vm v) {
        boolean none = v == null;
        volume.setDisable(none);
        muted.setDisable(none);
        microphone.setDisable(none);
        apply.setDisable(none);
        if (!none) {
            volume.getValueFactory().setValue(v.volume());
            muted.setSelected(v.muted());
            microphone.setSelected(v.microphone());
        }
    }

    private void applySelected() {
        AudioStatus.Vm v = table.getSelectionModel().getSelectedItem();
        if (v == null) {
            return;
        }
        volume.commitValue();
        set(new AudioChange(null, v.id().toString(), volume.getValue(), muted.isSelected(), microphone.isSelected()));
    }

    private void set(AudioChange change) {
        problem.setText("");
        ui.log().info("sound: " + change);
        ui.request("change the sound settings", ui.toolstack().call(ToolstackApi.AUDIO_SET, change), this::show,
                e -> problem.setText(e.getMessage()));
    }
}
