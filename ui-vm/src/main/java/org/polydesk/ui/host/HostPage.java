package org.polydesk.ui.host;

import java.time.Duration;
import java.util.stream.Collectors;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.polydesk.protocol.toolstack.HostCheck;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.toolstack.HostProgress;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.ui.common.Pages;
import org.polydesk.ui.common.UiContext;

/**
 * The machine (host.info): versions, hypervisor, CPUs, memory, uptime, VMs and free slots; and,
 * where polydeskd controls the machine's power (host.info's powerControl), Shut down and Reboot:
 * asked first, then host.shutdown or host.reboot with its progress (each VM waited for, forced,
 * stopped) listed as polydeskd sends it. While one runs both buttons are off: one click, one call.
 * The installed system's two slots (host.system) and, where there are two, an update from a
 * Polydesk ISO on the machine (host.update, its steps as polydeskd sends them).
 */
public final class HostPage {
    private final UiContext ui;
    private final GridPane facts = new GridPane();
    private final Label status = new Label();
    private final Button shutdown = new Button("Shut down the machine…");
    private final Button reboot = new Button("Reboot the machine…");
    private final VBox power;
    private final Label powerStatus = new Label();
    private final ListView<String> powerLog = new ListView<>();
    /** host.check's answer: one line per finding, then each display controller with its verdict and reasons. */
    private final ListView<String> checkList = new ListView<>();
    private final Button check = new Button("Check this machine");
    /** The administrator's ssh logins (host.ssh): shown only where polydeskd can switch them. */
    private final javafx.scene.control.CheckBox ssh = new javafx.scene.control.CheckBox(
            "Let the administrator log in by ssh from other machines");
    private final Label sshStatus = new Label();
    /** The box is being set from polydeskd's answer, not clicked. */
    private boolean showingSsh;
    /** host.system: the release, its slot, the other slot, the next boot, the last update. */
    private final GridPane system = new GridPane();
    private final javafx.scene.control.TextField updatePath = new javafx.scene.control.TextField();
    private final Button update = new Button("Update from this ISO…");
    private final javafx.scene.control.ProgressBar updateBar = new javafx.scene.control.ProgressBar(0);
    private final Label updateStatus = new Label();
    /** The step's detail: a command, a percentage. */
    private final Label updateDetail = new Label();
    private final VBox updates;
    /** An update is being written: one at a time. */
    private boolean updating;
    private final javafx.scene.control.ScrollPane root;
    /** A shutdown or reboot is under way (or the machine is going down): the buttons stay off. */
    private boolean powerRunning;

    public HostPage(UiContext ui) {
        this.ui = ui;
        facts.setId("host-facts");
        facts.setHgap(16);
        facts.setVgap(6);
        status.setId("host-status");
        Button refresh = new Button("Refresh");
        refresh.setId("host-refresh");
        refresh.setOnAction(e -> refresh());
        shutdown.setId("host-shutdown");
        shutdown.setOnAction(e -> power(Power.SHUTDOWN));
        reboot.setId("host-reboot");
        reboot.setOnAction(e -> power(Power.REBOOT));
        powerStatus.setId("host-power-status");
        powerStatus.setWrapText(true);
        powerLog.setId("host-power-log");
        powerLog.setPrefHeight(140);
        power = new VBox(8, new HBox(8, shutdown, reboot), powerStatus, powerLog);
        power.setId("host-power");
        showPower(false);
        powerLog.setVisible(false);
        powerLog.setManaged(false);
        check.setId("host-check");
        check.setOnAction(e -> check());
        checkList.setId("host-check-list");
        checkList.setPrefHeight(200);
        checkList.setPlaceholder(new Label("Whether this machine can run the VMs and pass a GPU through."));
        ssh.setId("host-ssh");
        ssh.setVisible(false);
        ssh.setManaged(false);
        ssh.selectedProperty().addListener((o, was, now) -> {
            if (!showingSsh) {
                switchSsh(now);
            }
        });
        sshStatus.setId("host-ssh-status");
        sshStatus.setWrapText(true);
        system.setId("host-system");
        system.setHgap(16);
        system.setVgap(6);
        updatePath.setId("host-update-path");
        updatePath.setPromptText("/var/lib/polydesk/media/polydesk-….iso, or a USB stick like /dev/sdb");
        updatePath.setPrefColumnCount(40);
        update.setId("host-update");
        update.setOnAction(e -> update());
        updateBar.setId("host-update-progress");
        updateBar.setMaxWidth(Double.MAX_VALUE);
        updateStatus.setId("host-update-status");
        updateStatus.setWrapText(true);
        updateDetail.setId("host-update-detail");
        updates = new VBox(8, new Label("A new Polydesk ISO on this machine goes into the other system slot and is"
                + " tried at the next restart; it is kept only when it comes up healthy. VMs and settings stay."),
                new HBox(8, updatePath, update), updateBar, updateStatus, updateDetail);
        updates.setId("host-updates");
        showUpdates(false);
        VBox content = new VBox(12, Pages.title("Host"), facts, status, refresh, power, ssh, sshStatus,
                new HBox(8, check), checkList, system, updates);
        content.setPadding(new Insets(16));
        root = new javafx.scene.control.ScrollPane(content);
        root.setFitToWidth(true);
    }

    private enum Power {
        SHUTDOWN("Shut down", "shut down", "Shutting down"),
        REBOOT("Reboot", "reboot", "Rebooting");

        final String title;
        final String verb;
        final String doing;

        Power(String title, String verb, String doing) {
            this.title = title;
            this.verb = verb;
            this.doing = doing;
        }
    }

    public javafx.scene.control.ScrollPane node() {
        return root;
    }

    private void check() {
        check.setDisable(true);
        ui.request("check the hardware", ui.toolstack().call(ToolstackApi.HOST_CHECK, null), c -> {
            check.setDisable(false);
            java.util.List<String> lines = new java.util.ArrayList<>();
            for (HostCheck.Finding f : c.host()) {
                lines.add(f.name() + ": " + f.status().name().toLowerCase(java.util.Locale.ROOT) + " — " + f.detail());
            }
            for (HostCheck.Display d : c.displays()) {
                lines.add(d.address() + " " + d.vendor() + " " + d.device() + ": "
                        + d.verdict().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + (d.passedWith().isEmpty() ? "" : " (with " + String.join(", ", d.passedWith()) + ")"));
                lines.add("    monitors: " + (d.monitors().isEmpty() ? "none connected"
                        : String.join("; ", d.monitors().stream().map(HostCheck.Monitor::describe).toList())));
                d.reasons().forEach(r -> lines.add("    " + r));
            }
            if (c.displays().isEmpty()) {
                lines.add("no display controller");
            }
            checkList.getItems().setAll(lines);
        }, e -> {
            check.setDisable(false);
            checkList.getItems().setAll(Pages.unavailable("The hardware check", e));
        });
    }

    private void showSsh(ToolstackApi.SshLogins l) {
        showingSsh = true;
        ssh.setSelected(l.enabled() && l.active());
        showingSsh = false;
        ssh.setDisable(false);
        ssh.setVisible(l.managed());
        ssh.setManaged(l.managed());
        sshStatus.setText(!l.managed() ? "ssh logins cannot be switched here: " + l.problem()
                : l.enabled() && l.active() ? "ssh is on: the administrator can log in from another machine with the"
                + " administrator's password." : "ssh is off: no one can log in from another machine.");
    }

    private void switchSsh(boolean on) {
        ssh.setDisable(true);
        ui.log().info((on ? "switch ssh logins on" : "switch ssh logins off"));
        ui.request("switch ssh logins " + (on ? "on" : "off"), ui.toolstack().call(ToolstackApi.HOST_SSH_SET,
                new ToolstackApi.SshLoginsSet(on)), this::showSsh, e -> {
                    showingSsh = true;
                    ssh.setSelected(!on);
                    showingSsh = false;
                    ssh.setDisable(false);
                    sshStatus.setText("ssh logins were not switched " + (on ? "on" : "off") + ": " + e.describe());
                });
    }

    public void refresh() {
        ui.request("read ssh logins", ui.toolstack().call(ToolstackApi.HOST_SSH), this::showSsh, e -> {
            ssh.setVisible(false);
            ssh.setManaged(false);
            sshStatus.setText(Pages.unavailable("ssh logins", e));
        });
        ui.request("read the system slots", ui.toolstack().call(ToolstackApi.HOST_SYSTEM), this::showSystem, e -> {
            system.getChildren().clear();
            showUpdates(false);
        });
        ui.request("read the host", ui.toolstack().call(ToolstackApi.HOST_INFO), this::show, e -> {
            facts.getChildren().clear();
            showPower(false);
            status.setText(Pages.unavailable("The host's facts", e));
        });
    }

    private void show(HostInfo h) {
        facts.getChildren().clear();
        status.setText("");
        int r = 0;
        r = fact(r, "Host name", "host-name", h.hostname());
        r = fact(r, "Polydesk", "host-polydesk-version", h.polydeskVersion());
        r = fact(r, "Hypervisor", "host-hypervisor", hypervisor(h.backend()));
        r = fact(r, "Version", "host-version", h.backendVersion());
        r = fact(r, "Kernel", "host-kernel", h.kernel());
        r = fact(r, "Accelerator", "host-accelerator", h.accelerator());
        r = fact(r, "CPUs", "host-cpus", String.valueOf(h.cpus()));
        r = fact(r, "Memory", "host-memory", String.format("%,d MiB", h.memoryMib())
                + (h.memoryFreeMib() == null ? "" : String.format(", %,d MiB free", h.memoryFreeMib())));
        r = fact(r, "Up for", "host-uptime", h.uptimeSeconds() == null ? null : uptime(h.uptimeSeconds()));
        r = fact(r, "VMs", "host-vms", h.vmsDefined() + " defined, " + h.vmsRunning() + " running");
        r = fact(r, "Free slots", "host-free-slots", h.freeSlots() == null || h.freeSlots().isEmpty() ? "none"
                : h.freeSlots().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        fact(r, "Definitions in", "host-state-dir", h.stateDirectory());
        // No button without the server behind it: only a polydeskd that owns the machine's power offers it.
        showPower(h.powerControl() || powerRunning);
    }

    private void showSystem(org.polydesk.protocol.toolstack.HostSystem s) {
        system.getChildren().clear();
        int r = 0;
        r = fact(system, r, "Release", "host-release", s.release());
        if (s.slot() == null) {
            fact(system, r, "Updates", "host-slot", "none here: a live system, or installed without two system slots");
            showUpdates(updating);
            return;
        }
        r = fact(system, r, "System slot", "host-slot", s.slot() + (s.kept() ? " (kept)" : " (on its try)"));
        r = fact(system, r, "Other slot", "host-other-slot", s.otherSlot() + ": "
                + (s.otherRelease() == null ? "empty" : s.otherRelease()));
        r = fact(system, r, "Next restart", "host-next-boot", s.nextBoot() + (s.trying() ? " (an update, tried once)" : ""));
        if (s.lastUpdate() != null) {
            fact(system, r, "Last update", "host-last-update", s.lastUpdate());
        }
        // No button without the server behind it: only a system with two slots can be updated.
        showUpdates(true);
    }

    private void showUpdates(boolean shown) {
        updates.setVisible(shown);
        updates.setManaged(shown);
    }

    private void update() {
        String path = updatePath.getText().strip();
        if (updating) {
            return;
        }
        if (!path.startsWith("/")) {
            updateStatus.setText("Give the full path of the Polydesk ISO on this machine (it starts with /).");
            return;
        }
        ButtonType yes = new ButtonType("Update", ButtonBar.ButtonData.OK_DONE);
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, "Polydesk from " + path + " is written into the"
                + " system slot that does not run now, and tried at the next restart. This system stays as it is"
                + " and comes back if the new one does not come up healthy.", yes, ButtonType.CANCEL);
        confirm.setTitle("Update");
        confirm.setHeaderText("Update Polydesk from this ISO?");
        confirm.getDialogPane().setId("confirm-update-dialog");
        confirm.getDialogPane().lookupButton(yes).setId("confirm-update");
        if (root.getScene() != null) {
            confirm.initOwner(root.getScene().getWindow());
        }
        if (confirm.showAndWait().filter(b -> b == yes).isEmpty()) {
            return;
        }
        setUpdating(true);
        updateBar.setProgress(0);
        updateStatus.setText("Checking " + path + "…");
        ui.log().info("update from " + path);
        ui.request("update from " + path, ui.toolstack().follow(ToolstackApi.HOST_UPDATE, new ToolstackApi.HostUpdate(path),
                ToolstackApi.HOST_UPDATE_PROGRESS, this::updateProgress,
                org.polydesk.protocol.install.InstallProgress::isFinal,
                why -> {
                    setUpdating(false);
                    updateStatus.setText("The connection to polydeskd broke before the update finished (" + why + ").");
                }),
                started -> updateStatus.setText("Updating to Polydesk " + started.release() + " in system "
                        + started.slot() + "…"),
                e -> {
                    setUpdating(false);
                    updateStatus.setText("No update: " + e.describe());
                    ui.log().error("no update from " + path + ": " + e.describe());
                });
    }

    private void updateProgress(org.polydesk.protocol.install.InstallProgress p) {
        if (p.total() > 0) {
            updateBar.setProgress(p.isFinal() ? 1 : Math.max(0, p.step() - 1) / (double) p.total());
        }
        switch (p.kind()) {
            case STEP -> updateStatus.setText("Step " + p.step() + " of " + p.total() + ": " + p.text());
            case DETAIL -> updateDetail.setText(p.text());
            case DONE -> {
                setUpdating(false);
                updateDetail.setText("");
                updateStatus.setText(p.text());
                ui.log().info(p.text());
                refresh();
            }
            case FAILED -> {
                setUpdating(false);
                updateStatus.setText(p.text());
                ui.log().error(p.text());
            }
        }
    }

    private void setUpdating(boolean now) {
        updating = now;
        update.setDisable(now);
        updatePath.setDisable(now);
    }

    static String hypervisor(String backend) {
        if ("libxl".equals(backend)) {
            return "Xen (libxl)";
        }
        if ("qemu".equals(backend)) {
            return "QEMU (no Xen on this machine)";
        }
        return backend;
    }

    static String uptime(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        if (d.toDays() > 0) {
            return d.toDays() + " d " + d.toHoursPart() + " h " + d.toMinutesPart() + " min";
        }
        return d.toHoursPart() > 0 ? d.toHoursPart() + " h " + d.toMinutesPart() + " min" : d.toMinutesPart() + " min";
    }

    private int fact(int row, String name, String id, String value) {
        return fact(facts, row, name, id, value);
    }

    private static int fact(GridPane facts, int row, String name, String id, String value) {
        Label n = new Label(name);
        n.getStyleClass().add("fact-name");
        Label v = new Label(value == null ? "—" : value);
        v.setId(id);
        facts.add(n, 0, row);
        facts.add(v, 1, row);
        return row + 1;
    }

    private void showPower(boolean shown) {
        power.setVisible(shown);
        power.setManaged(shown);
    }

    private void setPowerRunning(boolean running) {
        powerRunning = running;
        shutdown.setDisable(running);
        reboot.setDisable(running);
    }

    private void power(Power p) {
        if (powerRunning) {
            return;
        }
        ButtonType yes = new ButtonType(p.title, ButtonBar.ButtonData.OK_DONE);
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, p.title + " the whole machine? Every running VM is"
                + " asked to power off first, and forced off if it has not within the timeout.", yes, ButtonType.CANCEL);
        confirm.setTitle(p.title);
        confirm.setHeaderText(p.title + " the machine?");
        confirm.getDialogPane().setId("confirm-power-dialog");
        confirm.getDialogPane().lookupButton(yes).setId("confirm-power");
        confirm.getDialogPane().lookupButton(ButtonType.CANCEL).setId("cancel-power");
        if (root.getScene() != null) {
            confirm.initOwner(root.getScene().getWindow());
        }
        if (confirm.showAndWait().filter(b -> b == yes).isEmpty()) {
            ui.log().info(p.verb + " cancelled");
            return;
        }
        setPowerRunning(true);
        powerLog.getItems().clear();
        powerLog.setVisible(true);
        powerLog.setManaged(true);
        powerStatus.setText(p.doing + ": stopping the VMs…");
        ui.log().info(p.verb + " the machine");
        ui.request(p.verb + " the machine", ui.toolstack().follow(p == Power.SHUTDOWN ? ToolstackApi.HOST_SHUTDOWN
                        : ToolstackApi.HOST_REBOOT, new ToolstackApi.HostPower(null), ToolstackApi.HOST_PROGRESS,
                this::progress, HostProgress::isFinal, why -> {
                    setPowerRunning(false);
                    powerStatus.setText("The connection to polydeskd broke before the end (" + why + "); the machine"
                            + " may be going down.");
                }),
                started -> {
                    powerLog.getItems().add(started.vms().isEmpty() ? "No VM is running."
                            : "Stopping " + String.join(", ", started.vms()) + " (" + started.timeoutSeconds()
                            + " s each to power off before it is forced).");
                },
                e -> {
                    setPowerRunning(false);
                    powerStatus.setText("The machine does not " + p.verb + ": " + e.describe());
                });
    }

    private void progress(HostProgress p) {
        switch (p.kind()) {
            case WAITING -> powerStatus.setText(p.text());
            case FORCING, STOPPED -> {
                powerStatus.setText(p.text());
                powerLog.getItems().add(p.text());
                ui.log().info(p.text());
            }
            case POWERING -> {
                // The buttons stay off: the machine is going down.
                powerStatus.setText(p.text());
                powerLog.getItems().add(p.text());
                ui.log().info(p.text());
            }
            case FAILED -> {
                setPowerRunning(false);
                powerStatus.setText(p.text());
                powerLog.getItems().add(p.text());
                ui.log().error(p.text());
            }
        }
    }
}
