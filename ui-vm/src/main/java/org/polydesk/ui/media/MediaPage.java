package org.polydesk.ui.media;

import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.media.MediaProgress;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.media.UsbIsoFile;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * polydeskd's media library (media.*): the installer images VMs' CD drives are given, importing one
 * by URL or from a USB stick with a progress bar, and deleting one. One import at a time from this
 * page; while it runs the import buttons are off.
 */
public final class MediaPage {
    private final UiContext ui;
    private final TableView<Medium> media = new TableView<>();
    private final Label listStatus = new Label();
    private final Button delete = new Button("Delete…");
    private final Button resume = new Button("Continue download");
    private final Button refresh = new Button("Refresh");
    private final TextField url = new TextField();
    private final TextField sha256 = new TextField();
    private final Button importUrl = new Button("Download");
    private final TableView<UsbIsoFile> usbFiles = new TableView<>();
    private final Button lookUsb = new Button("Look on USB sticks");
    private final Button importUsb = new Button("Copy from the stick");
    private final Label usbStatus = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private final Label status = new Label();
    private final VBox root;
    private boolean importing;

    public MediaPage(UiContext ui) {
        this.ui = ui;
        media.setId("media-table");
        media.setPlaceholder(new Label("The library is empty: download an ISO or copy one from a USB stick."));
        media.getColumns().addAll(List.of(Pages.column("Name", Medium::name), Pages.column("Size", m -> size(m.sizeBytes())),
                Pages.column("Label", m -> m.unfinished() ? "unfinished download" : m.label() == null ? "" : m.label()),
                Pages.column("SHA-256", m -> m.unfinished() ? "from " + m.unfinishedUrl() : m.sha256() == null ? "unknown" : m.sha256())));
        media.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        media.setPrefHeight(200);
        media.getSelectionModel().selectedItemProperty().addListener((o, was, m) -> {
            delete.setDisable(m == null);
            resume.setDisable(m == null || !m.unfinished() || importing);
        });
        listStatus.setId("media-list-status");
        delete.setId("media-delete");
        delete.setDisable(true);
        delete.setOnAction(e -> confirmAndDelete());
        resume.setId("media-resume");
        resume.setDisable(true);
        resume.setOnAction(e -> {
            Medium m = media.getSelectionModel().getSelectedItem();
            if (m != null && m.unfinished()) {
                start("continue the download of " + m.unfinishedUrl(), new ToolstackApi.MediaImport(m.unfinishedUrl(),
                        null, null, null, null));
            }
        });
        refresh.setId("media-refresh");
        refresh.setOnAction(e -> refresh());

        url.setId("media-url");
        url.setPromptText("https://…/installer.iso");
        sha256.setId("media-sha256");
        sha256.setPromptText("optional: the SHA-256 the download must have");
        importUrl.setId("media-import-url");
        importUrl.setOnAction(e -> importByUrl());
        GridPane byUrl = new GridPane();
        byUrl.setHgap(12);
        byUrl.setVgap(6);
        byUrl.addRow(0, new Label("URL"), url);
        byUrl.addRow(1, new Label("SHA-256"), sha256);
        GridPane.setHgrow(url, Priority.ALWAYS);

        usbFiles.setId("media-usb-files");
        usbFiles.setPlaceholder(new Label("Plug in a USB stick and look on it."));
        usbFiles.getColumns().addAll(List.of(Pages.column("Stick", UsbIsoFile::stick), Pages.column("Partition", UsbIsoFile::device),
                Pages.column("File", UsbIsoFile::file), Pages.column("Size", f -> size(f.sizeBytes()))));
        usbFiles.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        usbFiles.setPrefHeight(110);
        usbFiles.getSelectionModel().selectedItemProperty().addListener((o, was, f) -> importUsb.setDisable(f == null || importing));
        lookUsb.setId("media-usb-look");
        lookUsb.setOnAction(e -> lookOnSticks());
        importUsb.setId("media-import-usb");
        importUsb.setDisable(true);
        importUsb.setOnAction(e -> importFromStick());
        usbStatus.setId("media-usb-status");
        usbStatus.setWrapText(true);

        bar.setId("media-progress");
        bar.setMaxWidth(Double.MAX_VALUE);
        status.setId("media-status");
        status.setWrapText(true);
        Label intro = new Label("Installer images (ISO files) for the VMs' CD drives, kept by polydeskd. A download"
                + " that breaks off stays listed: Continue download takes it up where it stopped.");
        intro.setWrapText(true);
        root = new VBox(10, Pages.title("Installer media"), intro, media, listStatus, new HBox(8, delete, resume, refresh),
                Pages.title("Download"), byUrl, importUrl,
                Pages.title("From a USB stick"), new HBox(8, lookUsb, importUsb), usbFiles, usbStatus, bar, status);
        root.setPadding(new Insets(16));
    }

    public VBox node() {
        return root;
    }

    public void refresh() {
        ui.request("list the media", ui.toolstack().call(ToolstackApi.MEDIA_LIST), list -> {
            Medium selected = media.getSelectionModel().getSelectedItem();
            media.getItems().setAll(list);
            if (selected != null) {
                list.stream().filter(m -> m.name().equals(selected.name())).findFirst()
                        .ifPresent(m -> media.getSelectionModel().select(m));
            }
            listStatus.setText(list.size() == 1 ? "1 medium" : list.size() + " media");
        }, e -> {
            media.getItems().clear();
            listStatus.setText(Pages.unavailable("The media library", e));
        });
    }

    private void confirmAndDelete() {
        Medium m = media.getSelectionModel().getSelectedItem();
        if (m == null) {
            return;
        }
        ButtonType yes = new ButtonType("Delete", ButtonBar.ButtonData.OK_DONE);
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, m.unfinished()
                ? "The unfinished download of " + m.name() + " (" + size(m.sizeBytes()) + " so far) will be deleted."
                : m.name() + " (" + size(m.sizeBytes()) + ") will be deleted from the library.", yes, ButtonType.CANCEL);
        confirm.setHeaderText("Delete " + m.name() + "?");
        confirm.getDialogPane().lookupButton(yes).setId("confirm-delete-medium");
        if (root.getScene() != null) {
            confirm.initOwner(root.getScene().getWindow());
        }
        if (confirm.showAndWait().filter(b -> b == yes).isEmpty()) {
            return;
        }
        ui.log().info("delete the medium " + m.name());
        ui.request("delete " + m.name(), ui.toolstack().call(ToolstackApi.MEDIA_DELETE, new ToolstackApi.MediaRef(m.name())),
                ok -> {
                    status.getStyleClass().remove("field-error");
                    status.setText(m.name() + " was deleted.");
                    refresh();
                }, e -> fail("Could not delete " + m.name() + ": " + e.describe()));
    }

    private void importByUrl() {
        String u = url.getText().strip();
        if (u.isEmpty()) {
            fail("Give the URL of the ISO file to download.");
            return;
        }
        start("download " + u, new ToolstackApi.MediaImport(u, null, null, blankToNull(sha256.getText()), null));
    }

    private void lookOnSticks() {
        lookUsb.setDisable(true);
        usbStatus.setText("Looking on the USB sticks…");
        ui.request("look on the USB sticks", ui.toolstack().call(ToolstackApi.MEDIA_USB_LIST), list -> {
            lookUsb.setDisable(false);
            usbFiles.getItems().setAll(list);
            usbStatus.setText(list.isEmpty() ? "No ISO files on the USB sticks plugged in." : list.size() == 1
                    ? "1 ISO file: select it and copy it." : list.size() + " ISO files: select one and copy it.");
        }, e -> {
            lookUsb.setDisable(false);
            usbFiles.getItems().clear();
            usbStatus.setText(Pages.unavailable("The USB sticks", e));
        });
    }

    private void importFromStick() {
        UsbIsoFile f = usbFiles.getSelectionModel().getSelectedItem();
        if (f != null) {
            start("copy " + f.file() + " from " + f.device(), new ToolstackApi.MediaImport(null, f.device(), f.file(), null, null));
        }
    }

    private void start(String what, ToolstackApi.MediaImport params) {
        setImporting(true);
        bar.setProgress(ProgressBar.INDETERMINATE_PROGRESS);
        status.getStyleClass().removeAll("field-error", "install-done");
        status.setText("Starting: " + what + "…");
        ui.log().info(what);
        ui.request(what, ui.toolstack().follow(ToolstackApi.MEDIA_IMPORT, params, ToolstackApi.MEDIA_PROGRESS, this::progress,
                MediaProgress::isFinal, why -> progress(new MediaProgress(null, "the medium", MediaProgress.State.FAILED, 0,
                        null, "The connection to polydeskd broke during the import (" + why + "); polydeskd's log says how it"
                        + " ended."))), started -> { }, e -> {
                            setImporting(false);
                            bar.setProgress(0);
                            fail("Could not " + what + ": " + e.describe());
                        });
    }

    private void progress(MediaProgress p) {
        switch (p.state()) {
            case COPYING -> {
                if (p.bytesTotal() != null && p.bytesTotal() > 0) {
                    bar.setProgress(p.bytesDone() / (double) p.bytesTotal());
                    status.setText("Copying " + p.name() + ": " + (100 * p.bytesDone() / p.bytesTotal()) + "% ("
                            + size(p.bytesDone()) + " of " + size(p.bytesTotal()) + ")");
                } else {
                    status.setText("Copying " + p.name() + ": " + size(p.bytesDone()));
                }
            }
            case CHECKING -> status.setText("Checking " + p.name() + "…");
            case DONE -> {
                setImporting(false);
                bar.setProgress(1);
                status.getStyleClass().add("install-done");
                status.setText(p.name() + " is in the library.");
                ui.log().info(p.name() + " imported (" + size(p.bytesDone()) + ")");
                url.clear();
                sha256.clear();
                refresh();
            }
            case FAILED -> {
                setImporting(false);
                bar.setProgress(0);
                fail(p.error());
                refresh();
            }
        }
    }

    private void fail(String message) {
        status.getStyleClass().add("field-error");
        status.setText(message);
        ui.log().error(message);
    }

    private void setImporting(boolean now) {
        importing = now;
        importUrl.setDisable(now);
        importUsb.setDisable(now || usbFiles.getSelectionModel().getSelectedItem() == null);
        Medium selected = media.getSelectionModel().getSelectedItem();
        resume.setDisable(now || selected == null || !selected.unfinished());
        url.setDisable(now);
        sha256.setDisable(now);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static String size(long bytes) {
        if (bytes < 1_000_000) {
            return bytes + " bytes";
        }
        return bytes >= 1_000_000_000 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }


}
