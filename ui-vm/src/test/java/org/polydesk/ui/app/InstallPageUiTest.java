package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import javafx.scene.Node;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The install page against a real polydeskd (in a child JVM) whose installer sees a simulated
 * machine (the toolstack's TestPolydeskd with --simulated-machine: booted from sr0; vdb empty, sda partitioned,
 * vdc too small, vde failing; every disk command takes 150 ms): the refusals and why, the data
 * loss warning, a failed install's message, and an install going through its steps to the end.
 */
class InstallPageUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;
    Path machine;

    @BeforeEach
    void open() throws Exception {
        machine = tmp.resolve("simulated");
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS,
                tmp.resolve("daemon"), "--simulated-machine", machine.toString(), "--simulated-delay-ms", "150")).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#nav-install");
        ui.await("the disks listed", 15, () -> verdict("vdb") != null, () -> ui.text("#install-disk-status"));
    }

    @AfterEach
    void close() throws Exception {
        ui.close();
    }

    String dev(String name) {
        return machine.resolve("machine/dev").resolve(name).toString();
    }

    /** The "Can install" cell of the disk's row, as shown; null when the disk is not listed. */
    String verdict(String disk) {
        return UiFixture.fx(() -> {
            for (Node n : ui.robot.lookup("#install-disks .table-row-cell").queryAll()) {
                TableRow<?> row = (TableRow<?>) n;
                if (row.isEmpty()) {
                    continue;
                }
                var cells = row.lookupAll(".table-cell").stream().map(c -> ((TableCell<?, ?>) c).getText()).toList();
                if (dev(disk).equals(cells.get(0))) {
                    return cells.get(cells.size() - 1);
                }
            }
            return null;
        });
    }

    void select(String disk) {
        Node cell = UiFixture.fx(() -> ui.robot.lookup("#install-disks .table-cell").queryAll().stream()
                .filter(c -> dev(disk).equals(((TableCell<?, ?>) c).getText())).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + disk)));
        ui.robot.clickOn(cell);
    }

    boolean enabled(String query) {
        return UiFixture.fx(() -> !ui.robot.lookup(query).query().isDisabled());
    }

    double progress() {
        return UiFixture.fx(() -> ui.robot.lookup("#install-progress").queryAs(ProgressBar.class).getProgress());
    }

    void passwords(String first, String second) {
        ui.type("#install-password", first);
        ui.type("#install-password-again", second);
    }

    /** The password and passphrase again, as a person types them after a refused install. */
    void secrets() {
        passwords("s3cret", "s3cret");
        ui.type("#install-passphrase", "correct horse");
        ui.type("#install-passphrase-again", "correct horse");
    }

    /** Install, confirm: polydeskd refuses with {@code why} and nothing is written. */
    void installRefused(String why) throws java.io.IOException {
        ui.robot.clickOn("#install-start");
        ui.robot.clickOn("#confirm-install");
        ui.awaitTextContaining("#install-result", why, 30);
        assertFalse(Files.exists(machine.resolve("target/etc/fstab")), "nothing written");
    }

    @Test
    void disksSayWhyTheyAreRefusedAndAPartitionedOneNeedsErasing() {
        assertEquals("yes (empty)", verdict("vdb"));
        assertTrue(verdict("sr0").startsWith("no: " + dev("sr0") + " is the disk Polydesk is running from"), verdict("sr0"));
        assertTrue(verdict("vdc").contains("is too small"), verdict("vdc"));
        assertTrue(verdict("sda").startsWith("erases: " + dev("sda") + " has partitions (sda1, sda2)"), verdict("sda"));
        assertEquals(null, verdict("loop0"), "a loop device is no disk");

        select("sr0");
        assertTrue(ui.text("#install-disk-status").startsWith("Polydesk cannot be installed to " + dev("sr0")),
                ui.text("#install-disk-status"));
        assertFalse(enabled("#install-start"));
        assertFalse(enabled("#install-erase"));

        select("sda");
        assertTrue(ui.text("#install-disk-status").contains("everything on it would be lost"), ui.text("#install-disk-status"));
        assertTrue(enabled("#install-start"));
        passwords("pw", "pw");
        ui.robot.clickOn("#install-start");
        assertTrue(ui.text("#install-result").contains("tick \"Erase everything on this disk\" first"),
                ui.text("#install-result"));
        assertTrue(ui.text("#install-step").isEmpty(), "nothing started");
    }

    @Test
    void aFailingDiskEndsWithTheStepAndTheReasonThenAnInstallGoesThrough() throws Exception {
        select("vde");
        passwords("secret", "secret");
        ui.robot.clickOn("#install-start");
        ui.robot.clickOn("#confirm-install");
        ui.awaitTextContaining("#install-result", "install failed at step 3/8 (making file systems)", 30);
        assertTrue(ui.text("#install-result").contains("mkfs.vfat: " + dev("vde2") + ": Input/output error"),
                ui.text("#install-result"));
        assertTrue(ui.text("#install-step").startsWith("Step 3 of 8: making file systems"), ui.text("#install-step"));
        assertTrue(enabled("#install-refresh"), "the page is usable again");

        select("vdb");
        passwords("secret", "secreT");
        ui.robot.clickOn("#install-start");
        assertEquals("The two passwords differ.", ui.text("#install-result"));
        passwords("s3cret", "s3cret");
        ui.robot.clickOn("#install-start");
        ui.robot.clickOn("#confirm-install");

        // The steps go by, the bar moves, the controls wait.
        Set<String> steps = new LinkedHashSet<>();
        double lastProgress = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!ui.text("#install-step").equals("Done.") && System.nanoTime() < deadline) {
            // One look at the step, the bar and the button together: the end may come between two looks.
            Object[] seen = UiFixture.fx(() -> new Object[] {ui.text("#install-step"), progress(), enabled("#install-start")});
            String s = (String) seen[0];
            if (s.startsWith("Step ")) {
                steps.add(s);
                double p = (Double) seen[1];
                assertTrue(p >= lastProgress, "the bar never goes back: " + p + " after " + lastProgress);
                lastProgress = p;
                assertFalse((Boolean) seen[2], "no second install while one runs");
            }
            UiFixture.sleep(50);
        }
        assertEquals("Done.", ui.text("#install-step"), "steps seen: " + steps);
        assertTrue(steps.size() >= 4, "at least four of the eight steps were seen going by: " + steps);
        assertTrue(steps.contains("Step 4 of 8: copying the live system to " + dev("vdb3")), steps.toString());
        assertEquals(1.0, progress());
        assertTrue(ui.text("#install-result").startsWith("Polydesk is installed on " + dev("vdb")), ui.text("#install-result"));
        assertTrue(ui.text("#install-result").contains("log in as admin"), ui.text("#install-result"));
        assertTrue(ui.log().stream().anyMatch(l -> l.contains("install Polydesk to " + dev("vdb") + ", administrator admin")),
                ui.log().toString());
        // What the installer wrote on the simulated machine's new root.
        assertTrue(Files.readString(machine.resolve("target/etc/fstab")).contains("UUID=uuid-vdb3"));
    }

    @Test
    void anEncryptedInstallTakesThePassphraseTwiceAndWritesCrypttabTheTimeZoneAndKeyboard() throws Exception {
        select("vdb");
        passwords("s3cret", "s3cret");
        assertFalse(enabled("#install-passphrase"), "no passphrase until encryption is ticked");
        ui.robot.clickOn("#install-encrypt");
        ui.type("#install-passphrase", "correct horse");
        ui.type("#install-passphrase-again", "correct hose");
        ui.robot.clickOn("#install-start");
        assertEquals("The two passphrases differ.", ui.text("#install-result"));
        assertTrue(ui.text("#install-step").isEmpty(), "nothing started");

        // polydeskd checks it too: a short one is refused before anything is written.
        ui.type("#install-passphrase", "short");
        ui.type("#install-passphrase-again", "short");
        installRefused("8 to 512 characters long, not 5");
        // So is a time zone the installed system would not have, and a keyboard variant its layout does not have.
        secrets();
        ui.type("#install-time-zone", "Mars/Olympus_Mons");
        installRefused("unknown time zone 'Mars/Olympus_Mons'");
        secrets();
        ui.type("#install-time-zone", "Europe/Berlin");
        ui.type("#install-keyboard", "de");
        ui.type("#install-keyboard-variant", "dvorak");
        installRefused("layout 'de' has no variant 'dvorak'");

        secrets();
        ui.type("#install-keyboard-variant", "nodeadkeys");
        ui.robot.clickOn("#install-start");
        ui.robot.clickOn("#confirm-install");
        ui.awaitTextContaining("#install-step", "Done.", 60);
        assertEquals("Europe/Berlin", Files.readString(machine.resolve("target/etc/timezone")).strip());
        String keyboard = Files.readString(machine.resolve("target/etc/default/keyboard"));
        assertTrue(keyboard.contains("XKBLAYOUT=\"de\"") && keyboard.contains("XKBVARIANT=\"nodeadkeys\""), keyboard);
        assertTrue(ui.text("#install-result").startsWith("Polydesk is installed on " + dev("vdb")), ui.text("#install-result"));
        assertEquals("polydesk-vms  UUID=uuid-vdb5  none  luks,discard", Files.readString(machine.resolve("target/etc/crypttab"))
                .lines().filter(l -> !l.startsWith("#")).findFirst().orElse(""));
        assertTrue(Files.readString(machine.resolve("target/etc/fstab")).contains("/dev/mapper/polydesk-vms  /var/lib/polydesk  ext4"));
        assertTrue(ui.log().stream().anyMatch(l -> l.contains("the VM store encrypted")), ui.log().toString());
        assertTrue(ui.log().stream().noneMatch(l -> l.contains("correct horse")), "the passphrase is never logged");
    }
}
