package org.polydesk.ui.install;

import org.polydesk.protocol.toolstack.ToolstackApi;
import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.install.InstallDisk;
import org.polydesk.protocol.install.InstallProgress;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * Installs the running live system to a disk, through polydeskd (install.disks, install.start):
 * the disks with why each is refused or what it would erase, the administrator of the installed
 * system, a confirmation that names what is lost, then the steps as they go and how it ended.
 */
public final class InstallPage {
    private final UiContext ui;
    private final TableView<InstallDisk> disks = new TableView<>();
    private final Label diskStatus = new Label();
    private final CheckBox erase = new CheckBox("Erase everything on this disk");
    private final TextField admin = new TextField("admin");
    private final PasswordField password = new PasswordField();
    private final PasswordField again = new PasswordField();
    private final CheckBox encrypt = new CheckBox("Encrypt the VM store (asks for its passphrase at each start)");
    private final PasswordField passphrase = new PasswordField();
    private final PasswordField passphraseAgain = new PasswordField();
    /** Empty: UTC. polydeskd checks the name against the zones the installed system will have. */
    private final TextField timeZone = new TextField();
    /** Empty: us. polydeskd checks both against the XKB rules the installed system will have. */
    private final TextField keyboard = new TextField();
    private final TextField keyboardVariant = new TextField();
    private final Button install = new Button("Install…");
    private final Button refresh = new Button("Refresh");
    private final ProgressBar bar = new ProgressBar(0);
    private final Label step = new Label();
    private final Label detail = new Label();
    private final Label result = new Label();
    private final VBox root;
    private boolean running;

    public InstallPage(UiContext ui) {
        this.ui = ui;
        disks.setId("install-disks");
        disks.setPlaceholder(new Label("No disks listed."));
        disks.getColumns().addAll(List.of(Pages.column("Disk", InstallDisk::path), Pages.column("Model", InstallDisk::model),
                Pages.column("Size", d -> size(d.sizeBytes())), Pages.column("Partitions", d -> String.join(", ", d.partitions())),
                Pages.column("Can install", InstallPage::verdict)));
        disks.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        disks.setPrefHeight(180);
        disks.getSelectionModel().selectedItemProperty().addListener((o, was, d) -> {
            erase.setSelected(false);
            selected(d);
        });
        diskStatus.setId("install-disk-status");
        diskStatus.setWrapText(true);
        erase.setId("install-erase");
        erase.setDisable(true);
        admin.setId("install-admin");
        password.setId("install-password");
        again.setId("install-password-again");
        encrypt.setId("install-encrypt");
        passphrase.setId("install-passphrase");
        passphraseAgain.setId("install-passphrase-again");
        timeZone.setId("install-time-zone");
        timeZone.setPromptText("UTC, or a zone like Europe/Berlin");
        keyboard.setId("install-keyboard");
        keyboard.setPromptText("us, or a layout like de, fr, gb");
        keyboardVariant.setId("install-keyboard-variant");
        keyboardVariant.setPromptText("the layout's own, or one like nodeadkeys");
        passphrase.disableProperty().bind(encrypt.selectedProperty().not());
        passphraseAgain.disableProperty().bind(encrypt.selectedProperty().not());
        install.setId("install-start");
        install.setDisable(true);
        install.setOnAction(e -> confirmAndStart());
        refresh.setId("install-refresh");
        refresh.setOnAction(e -> refresh());
        bar.setId("install-progress");
        bar.setMaxWidth(Double.MAX_VALUE);
        step.setId("install-step");
        detail.setId("install-detail");
        detail.setWrapText(true);
        detail.getStyleClass().add("log");
        result.setId("install-result");
        result.setWrapText(true);

        GridPane login = new GridPane();
        login.setHgap(12);
        login.setVgap(6);
        login.addRow(0, new Label("Administrator"), admin);
        login.addRow(1, new Label("Password"), password);
        login.addRow(2, new Label("Password again"), again);
        login.add(encrypt, 0, 3, 2, 1);
        login.addRow(4, new Label("Passphrase"), passphrase);
        login.addRow(5, new Label("Passphrase again"), passphraseAgain);
        login.addRow(6, new Label("Time zone"), timeZone);
        login.addRow(7, new Label("Keyboard layout"), keyboard);
        login.addRow(8, new Label("Keyboard variant"), keyboardVariant);
        Label intro = new Label("Copies this live system to a disk, with Xen as the default boot entry. The installed"
                + " system's administrator (groups polydesk and sudo) logs in with the name and password below."
                + " Encrypted, the VM store (the VMs' definitions and disks, media, settings) is on LUKS2 and the"
                + " machine asks for its passphrase each time it starts: without it, nothing there can be read.");
        intro.setWrapText(true);
        root = new VBox(12, Pages.title("Install Polydesk"), intro, disks, diskStatus, erase, login,
                new HBox(8, install, refresh), bar, step, detail, result);
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        if (running) {
            return;
        }
        ui.request("list the disks", ui.toolstack().call(ToolstackApi.INSTALL_DISKS), list -> {
            disks.getItems().setAll(list);
            diskStatus.setText(list.isEmpty() ? "This machine has no disk to install to." : "Select the disk to install to.");
            selected(null);
        }, e -> {
            disks.getItems().clear();
            diskStatus.setText(Pages.unavailable("The installer", e));
            selected(null);
        });
    }

    /** Enables what the disk {@code d} (or none) allows, and says why. */
    private void selected(InstallDisk d) {
        if (d == null) {
            erase.setDisable(true);
            install.setDisable(true);
            return;
        }
        boolean refused = !d.refused().isEmpty();
        erase.setDisable(running || refused || d.erases().isEmpty());
        install.setDisable(running || refused);
        if (refused) {
            diskStatus.setText("Polydesk cannot be installed to " + d.path() + ": " + String.join("; ", d.refused()) + ".");
        } else if (!d.erases().isEmpty()) {
            diskStatus.setText(String.join("; ", d.erases()) + ". Tick \"" + erase.getText()
                    + "\" to install there anyway.");
        } else {
            diskStatus.setText(d.path() + " is empty: Polydesk can be installed there.");
        }
    }

    private void confirmAndStart() {
        InstallDisk d = disks.getSelectionModel().getSelectedItem();
        if (d == null) {
            return;
        }
        if (!d.erases().isEmpty() && !erase.isSelected()) {
            result.setText(String.join("; ", d.erases()) + ": tick \"" + erase.getText() + "\" first.");
            return;
        }
        if (password.getText().isEmpty()) {
            result.setText("Give the administrator a password.");
            return;
        }
        if (!password.getText().equals(again.getText())) {
            result.setText("The two passwords differ.");
            return;
        }
        if (encrypt.isSelected() && !passphrase.getText().equals(passphraseAgain.getText())) {
            result.setText("The two passphrases differ.");
            return;
        }
        ButtonType yes = new ButtonType("Erase and install", ButtonBar.ButtonData.OK_DONE);
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, "Everything on " + d.path()
                + (d.model().isBlank() ? "" : " (" + d.model() + ")") + ", " + size(d.sizeBytes())
                + ", will be lost. This cannot be undone.", yes, ButtonType.CANCEL);
        confirm.setHeaderText("Install Polydesk to " + d.path() + "?");
        confirm.getDialogPane().lookupButton(yes).setId("confirm-install");
        if (root.getScene() != null) {
            confirm.initOwner(root.getScene().getWindow());
        }
        if (confirm.showAndWait().filter(b -> b == yes).isEmpty()) {
            return;
        }
        start(d);
    }

    private void start(InstallDisk d) {
        boolean force = erase.isSelected();
        setRunning(true);
        bar.setProgress(ProgressBar.INDETERMINATE_PROGRESS);
        step.setText("Starting the install to " + d.path() + "…");
        detail.setText("");
        result.setText("");
        result.getStyleClass().removeAll("field-error", "install-done");
        ui.log().info("install Polydesk to " + d.path() + (force ? " (erasing it)" : "")
                + (encrypt.isSelected() ? ", the VM store encrypted" : "")
                + ", administrator " + admin.getText());
        ui.request("install to " + d.path(), ui.toolstack().follow(ToolstackApi.INSTALL_START,
                new ToolstackApi.InstallStart(d.path(), force, new ToolstackApi.InstallAdmin(admin.getText(), password.getText()),
                        encrypt.isSelected() ? passphrase.getText() : null,
                        blankIsNull(timeZone), blankIsNull(keyboard), blankIsNull(keyboardVariant)),
                ToolstackApi.INSTALL_PROGRESS, this::progress, InstallProgress::isFinal,
                why -> progress(new InstallProgress(InstallProgress.Kind.FAILED, 0, 0, "The connection to polydeskd broke"
                        + " before the install finished (" + why + "). The install may still be running or have stopped:"
                        + " polydeskd's log (journalctl -u polydeskd) says."))), ok -> { }, e -> {
                    setRunning(false);
                    bar.setProgress(0);
                    step.setText("");
                    fail("The install did not start: " + e.describe());
                });
    }

    private static String blankIsNull(TextField f) {
        return f.getText().isBlank() ? null : f.getText().strip();
    }

    private void progress(InstallProgress p) {
        if (p.total() > 0) {
            bar.setProgress(p.isFinal() ? 1 : Math.max(0, p.step() - 1) / (double) p.total());
        }
        switch (p.kind()) {
            case STEP -> step.setText("Step " + p.step() + " of " + p.total() + ": " + p.text());
            case DETAIL -> detail.setText(p.text());
            case DONE -> {
                setRunning(false);
                step.setText("Done.");
                result.getStyleClass().add("install-done");
                result.setText(p.text());
                ui.log().info(p.text());
            }
            case FAILED -> {
                setRunning(false);
                fail(p.text());
            }
        }
    }

    private void fail(String message) {
        result.getStyleClass().add("field-error");
        result.setText(message);
        ui.log().error(message);
    }

    private void setRunning(boolean now) {
        running = now;
        disks.setDisable(now);
        refresh.setDisable(now);
        admin.setDisable(now);
        password.setDisable(now);
        again.setDisable(now);
        encrypt.setDisable(now);
        selected(disks.getSelectionModel().getSelectedItem());
        if (!now) {
            password.clear();
            again.clear();
            passphrase.clear();
            passphraseAgain.clear();
        }
    }

    static String verdict(InstallDisk d) {
        if (!d.refused().isEmpty()) {
            return "no: " + d.refused().get(0);
        }
        return d.erases().isEmpty() ? "yes (empty)" : "erases: " + d.erases().get(0);
    }

    static String size(long bytes) {
        double gib = bytes / (1024.0 * 1024 * 1024);
        return gib >= 1 ? String.format("%.1f GiB", gib) : String.format("%d MiB", bytes >> 20);
    }

}
