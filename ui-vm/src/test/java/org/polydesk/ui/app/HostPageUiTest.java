package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.toolstack.backend.StubBackend;
import org.polydesk.toolstack.daemon.TestPolydeskd;
import org.polydesk.toolstack.host.SystemctlDouble;

/**
 * The Host page against a real polydeskd (stub backend, in a child JVM): the machine's versions,
 * memory and uptime; Shut down offered only by a polydeskd that controls the power, asked first
 * (Cancel changes nothing), then one call whose progress is listed as it comes — a VM that
 * ignores the power-down request forced off after the timeout — with both buttons off meanwhile.
 * The power command is a test double that writes down its argument; the real systemctl is the ISO
 * boot test's.
 */
class HostPageUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;

    @AfterEach
    void close() throws Exception {
        if (ui != null) {
            ui.close();
        }
    }

    UUID startVm(String name) throws Exception {
        ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name(name).memoryMib(256).build()));
        return ui.rpc(ToolstackApi.VM_START, new ToolstackApi.VmRef(name)).definition().id();
    }

    @SuppressWarnings("unchecked")
    List<String> powerLog() {
        return UiFixture.fx(() -> List.copyOf(((ListView<String>) ui.robot.lookup("#host-power-log").query()).getItems()));
    }

    boolean disabled(String query) {
        return UiFixture.fx(() -> ui.robot.lookup(query).query().isDisabled());
    }

    @Test
    void factsAndAShutdownWithItsProgressThatCannotBeClickedTwice() throws Exception {
        Path out = tmp.resolve("power.out");
        Path script = tmp.resolve("power");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> " + out + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend",
                "--power-command", script.toString(), "--shutdown-timeout", "2")).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        startVm("Obeys");
        UUID deaf = startVm("Deaf");
        Files.createFile(Paths.vmDir(ui.daemon.runDir(), deaf).resolve(StubBackend.IGNORES_POWER_DOWN));

        ui.robot.clickOn("#nav-host");
        ui.awaitText("#host-kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), 10);
        assertTrue(ui.text("#host-polydesk-version").matches("\\d+\\.\\d+\\.\\d+.*"), ui.text("#host-polydesk-version"));
        assertTrue(ui.text("#host-memory").matches("[0-9,]+ MiB, [0-9,]+ MiB free"), ui.text("#host-memory"));
        assertTrue(ui.text("#host-uptime").matches("(\\d+ d )?(\\d+ h )?\\d+ min"), ui.text("#host-uptime"));
        assertEquals("2 defined, 2 running", ui.text("#host-vms"));
        assertTrue(ui.visible("#host-shutdown") && ui.visible("#host-reboot"), "this polydeskd controls the power");

        // Asked first; Cancel stops nothing.
        ui.robot.clickOn("#host-shutdown");
        ui.awaitTextContaining("#confirm-power-dialog .content", "Shut down the whole machine?", 5);
        ui.robot.clickOn("#cancel-power");
        assertEquals(VmState.RUNNING, ui.rpc(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Obeys")).state());
        assertFalse(disabled("#host-shutdown"));

        ui.robot.clickOn("#host-shutdown");
        ui.robot.clickOn("#confirm-power");
        assertTrue(disabled("#host-shutdown") && disabled("#host-reboot"), "no second call while this one runs");
        ui.awaitTextContaining("#host-power-status", "Waiting for 'Deaf' to power off: forced off in", 10);
        ui.await("the end of the shutdown", 20, () -> powerLog().contains("Every VM is stopped; the machine is powering off."),
                this::powerLog);
        assertEquals(List.of("Stopping Obeys, Deaf (2 s each to power off before it is forced).",
                "'Obeys' powered off.",
                "'Deaf' did not power off within 2 s; forcing it off.",
                "'Deaf' was forced off: it ignored the power-down request until the timeout.",
                "Every VM is stopped; the machine is powering off."), powerLog());
        assertEquals("Every VM is stopped; the machine is powering off.", ui.text("#host-power-status"));
        assertTrue(disabled("#host-shutdown") && disabled("#host-reboot"), "the machine is going down");
        assertEquals("poweroff\n", Files.readString(out), "one call, one power command");
        assertTrue(ui.rpc(ToolstackApi.VM_LIST, null).stream().allMatch(s -> s.state() == VmState.STOPPED));
    }

    @Test
    void aPolydeskdThatDoesNotControlThePowerOffersNoShutdown() throws Exception {
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend"))
                .open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#nav-host");
        ui.awaitText("#host-hypervisor", "stub", 10);
        assertFalse(ui.visible("#host-shutdown"), "no button without the server behind it");
        assertFalse(ui.visible("#host-reboot"));
    }

    @SuppressWarnings("unchecked")
    List<String> checkLines() {
        return UiFixture.fx(() -> List.copyOf(((ListView<String>) ui.robot.lookup("#host-check-list").query()).getItems()));
    }

    /**
     * The hardware check, against a polydeskd whose machine is laid out as files (a sysfs with one
     * display controller, a /proc of a Xen dom0, an xl that answers as Xen does without an IOMMU):
     * each finding shown, and the card judged not assignable with the reason, with its monitor.
     */
    @Test
    void theHardwareCheckShowsEachFindingAndTheCardsVerdict() throws Exception {
        org.polydesk.testsupport.SysfsTree sys = new org.polydesk.testsupport.SysfsTree(tmp.resolve("sys"));
        sys.function("0000:00:02.0", null, 0x030000, 0x1234, 0x1111, null).reset("0000:00:02.0", "flr")
                .drmConnector("0000:00:02.0", "card0", "HDMI-A-1", true, "1920x1080 1280x720", 53, 30);
        Path proc = Files.createDirectories(tmp.resolve("proc/xen")).getParent();
        Files.writeString(proc.resolve("xen/capabilities"), "control_d\n");
        Files.writeString(proc.resolve("cpuinfo"), "flags\t: fpu\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 2000000 kB\n");
        Files.writeString(proc.resolve("interrupts"), "");
        Path xl = tmp.resolve("xl");
        Files.writeString(xl, "#!/bin/sh\ncase \"$1\" in info) printf 'xen_version : 4.17.5\\nvirt_caps : pv hvm hap\\n"
                + "total_memory : 16384\\nfree_memory : 12000\\n' ;; dmesg) echo '(XEN) I/O virtualisation disabled' ;; esac\n");
        Files.setPosixFilePermissions(xl, PosixFilePermissions.fromString("rwx------"));
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend",
                "--sysfs", tmp.resolve("sys").toString(), "--proc", proc.toString(), "--xl", xl.toString())).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#nav-host");
        ui.click("#host-check");
        ui.await("the check's findings", 15, () -> !checkLines().isEmpty(), this::checkLines);
        List<String> lines = checkLines();
        assertEquals("cpu-virtualisation: ok — Xen runs HVM guests (VT-x/AMD-V on)", lines.get(0), lines.toString());
        assertTrue(lines.get(2).startsWith("iommu: missing — Xen runs without one (its log: \"I/O virtualisation disabled\")"),
                lines.toString());
        assertEquals("memory: ok — 16,384 MiB, 12,000 MiB free", lines.get(4));
        assertTrue(lines.get(5).startsWith("0000:00:02.0 ") && lines.get(5).endsWith(": not assignable"), lines.toString());
        assertEquals("    monitors: HDMI-A-1 1920x1080, 530x300 mm", lines.get(6), "the monitor on the card");
        assertTrue(lines.get(7).strip().startsWith("no IOMMU"), lines.toString());

        // The VM form offers the same monitor to place a VM on, by name and resolution; it is stored.
        ui.robot.clickOn("#nav-vms");
        ui.robot.clickOn("#new-vm");
        ui.awaitText("#form-title", "New VM", 5);
        ui.await("the monitors in the VM form", 10, () -> monitors().contains("HDMI-A-1"), this::monitors);
        assertEquals(List.of("any", "HDMI-A-1"), monitors());
        ui.type("#name", "Placed");
        ui.click("#monitor");
        ui.robot.clickOn("HDMI-A-1 1920x1080");
        ui.robot.clickOn("#submit");
        ui.await("the form closing", 10, () -> !ui.visible("#vm-form"), () -> ui.text("#general-error"));
        List<VmStatus> vms = ui.rpc(ToolstackApi.VM_LIST, null);
        assertEquals("HDMI-A-1", vms.get(0).definition().monitor(), "the monitor chosen is stored");
        ui.selectRow("Placed");
        ui.robot.clickOn("#edit-vm");
        ui.awaitText("#form-title", "Edit 'Placed'", 5);
        assertEquals("HDMI-A-1", UiFixture.fx(() -> ((ComboBox<?>) ui.robot.lookup("#monitor").query()).getValue()));
    }

    private List<?> monitors() {
        return UiFixture.fx(() -> List.copyOf(((ComboBox<?>) ui.robot.lookup("#monitor").query()).getItems()));
    }

    @Test
    void sshLoginsAreSwitchedOnAndOffThroughPolydeskdsSystemctl() throws Exception {
        // A systemctl double for ssh.service: its states in two files, each call written down.
        Path script = SystemctlDouble.write(tmp, true, false);
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend",
                "--systemctl", script.toString())).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#nav-host");
        ui.awaitTextContaining("#host-ssh-status", "ssh is off", 10);
        assertTrue(ui.visible("#host-ssh"));

        ui.robot.clickOn("#host-ssh");
        ui.awaitTextContaining("#host-ssh-status", "ssh is on", 10);
        assertEquals("enabled", Files.readString(tmp.resolve("enabled")).strip());
        assertEquals("active", Files.readString(tmp.resolve("active")).strip());
        ui.robot.clickOn("#host-ssh");
        ui.awaitTextContaining("#host-ssh-status", "ssh is off", 10);
        assertEquals("disabled", Files.readString(tmp.resolve("enabled")).strip());
        assertEquals(List.of("enable --now ssh.service", "disable --now ssh.service"), Files.readAllLines(tmp.resolve("calls"))
                .stream().filter(l -> !l.startsWith("is-")).toList());
    }

    @Test
    void noSshSwitchWherePolydeskdDoesNotManageTheHost() throws Exception {
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend")).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#nav-host");
        ui.awaitTextContaining("#host-ssh-status", "ssh logins cannot be switched here", 10);
        assertFalse(ui.visible("#host-ssh"), "no switch without a server behind it");
    }

    /**
     * An update from the Host page, against a polydeskd whose updater sees the installed side of the
     * toolstack's simulated machine (slot a runs 1.0; beside it an ISO of 2.0): a file that is no ISO
     * is refused with the reason, then the ISO is written with its steps shown, and the slots show
     * the next restart trying it.
     */
    @Test
    void anUpdateFromAnIsoIsCheckedWrittenIntoTheOtherSlotAndTriedAtTheNextRestart() throws Exception {
        Path machine = tmp.resolve("simulated");
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend",
                "--simulated-machine", machine.toString(), "--simulated-delay-ms", "100")).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#nav-host");
        ui.awaitText("#host-release", "1.0", 10);
        ui.awaitText("#host-slot", "a (kept)", 10);
        ui.awaitText("#host-other-slot", "b: empty", 10);
        assertTrue(ui.visible("#host-update"));

        Path notes = Files.writeString(tmp.resolve("notes.iso"), "not an image\n".repeat(5000));
        ui.click("#host-update-path");
        ui.robot.write(notes.toString());
        ui.click("#host-update");
        ui.click("#confirm-update");
        ui.awaitTextContaining("#host-update-status", "is not a Polydesk ISO: it is not an ISO 9660 image", 15);

        UiFixture.fx(() -> {
            ((javafx.scene.control.TextField) ui.robot.lookup("#host-update-path").query()).clear();
            return null;
        });
        ui.click("#host-update-path");
        ui.robot.write(machine.resolve("polydesk-2.0.iso").toString());
        ui.click("#host-update");
        ui.click("#confirm-update");
        ui.awaitTextContaining("#host-update-status", "Step 4 of 7: copying Polydesk 2.0 into system b", 30);
        ui.awaitTextContaining("#host-update-status", "Polydesk 2.0 is in system b. Restart to start it", 30);
        ui.awaitText("#host-other-slot", "b: 2.0", 10);
        ui.awaitText("#host-next-boot", "b (an update, tried once)", 10);
    }
}
