package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.toolstack.daemon.TestPolydeskd;
import org.polydesk.toolstack.usb.SysfsUsbTree;

/**
 * polyctl usb against a real polydeskd whose sysfs is a test's tree with a stick and a keyboard
 * (the devices given to a running guest are UsbTest's, in a QEMU guest with real ones).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UsbCommandsTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;
    PolyctlRunner polyctl;

    @BeforeEach
    void start() throws Exception {
        new SysfsUsbTree(tmp.resolve("sys")).stick("1-1", 2, "STICK1").keyboard("1-2", 3).hub("1-3", 4);
        polydeskd = TestPolydeskd.start(tmp.resolve("daemon"), "--stub-backend", "--sysfs", tmp.resolve("sys").toString());
        polyctl = new PolyctlRunner(polydeskd.socket());
        assertEquals(0, polyctl.run("vm", "create", "--name", "Work", "--memory", "256").exit());
    }

    @AfterEach
    void stop() {
        polydeskd.close();
    }

    @Test
    void listsRulesAndPolicy() throws Exception {
        PolyctlRunner.Run list = polyctl.run("usb", "list");
        assertEquals(0, list.exit(), list.err());
        String[] lines = list.out().split("\n");
        assertEquals(2, lines.length, "the hub is left out: " + list.out());
        assertTrue(lines[0].matches("1-1 +46f4:0001  QEMU USB HARDDRIVE +storage +dom0"), lines[0]);
        assertTrue(lines[1].matches("1-2 +0627:0001  QEMU USB Keyboard +keyboard +dom0 \\(the input server reads it\\)"), lines[1]);
        assertEquals("STICK1", polyctl.json("usb", "list").get(0).path("serial").asText());

        PolyctlRunner.Run added = polyctl.run("usb", "rule", "add", "Work", "--id", "46f4:0001", "--serial", "STICK1");
        assertEquals(0, added.exit(), added.err());
        assertTrue(added.out().contains("rule: 46f4:0001 (serial STICK1) -> Work"), added.out());
        assertEquals(0, polyctl.run("usb", "rule", "add", "Work", "--port", "1-4").exit());
        assertEquals(0, polyctl.run("usb", "policy", "ask").exit());
        PolyctlRunner.Run shown = polyctl.run("usb", "rule", "show");
        assertEquals("policy: ask (dom0 keeps a new device and the UI asks where it goes)\n"
                + "rule: 46f4:0001 (serial STICK1) -> Work\nrule: port 1-4 -> Work\n", shown.out());
        assertEquals(0, polyctl.run("usb", "rule", "remove", "Work", "--port", "1-4").exit());
        assertEquals(1, polyctl.json("usb", "rule", "show").path("rules").size());
    }

    @Test
    void refusesWhatCannotBeAndAStoppedVmGetsARule() throws Exception {
        PolyctlRunner.Run unknown = polyctl.run("usb", "assign", "9-9", "Work");
        assertEquals(Polyctl.EXIT_NOT_FOUND, unknown.exit());
        assertTrue(unknown.err().contains("no USB device 9-9 is plugged in; there are: 1-1 (46f4:0001"), unknown.err());
        assertEquals(Polyctl.EXIT_NOT_FOUND, polyctl.run("usb", "assign", "1-1", "Nobody").exit());
        PolyctlRunner.Run badRule = polyctl.run("usb", "rule", "add", "Work", "--id", "stick");
        assertEquals(Polyctl.EXIT_REFUSED, badRule.exit());
        assertTrue(badRule.err().contains("four hex digits"), badRule.err());
        assertEquals(Polyctl.EXIT_USAGE, polyctl.run("usb", "rule", "add", "Work").exit(), "--id or --port is required");
        assertEquals(Polyctl.EXIT_REFUSED, polyctl.run("usb", "release", "1-1").exit(), "dom0 has it already");

        PolyctlRunner.Run waits = polyctl.run("usb", "assign", "1-1", "Work");
        assertEquals(0, waits.exit(), waits.err());
        assertEquals("QEMU USB HARDDRIVE (1-1) stays with dom0 until Work starts: stored as a rule\n", waits.out());
        assertTrue(polyctl.run("usb", "rule", "show").out().contains("rule: 46f4:0001 (serial STICK1) -> Work"));
    }

    @Test
    void anXlConfigsUsbDeviceBecomesTheImportedVmsRule() throws Exception {
        Path cfg = tmp.resolve("desk.cfg");
        java.nio.file.Files.writeString(cfg, "name = 'Desk'\ntype = 'hvm'\nmemory = 512\nusbdevice = [ 'host:46f4:0001' ]\n");
        PolyctlRunner.Run imported = polyctl.run("vm", "import", cfg.toString());
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(imported.err().contains("USB rule 46f4:0001 -> Desk"), imported.err());
        assertTrue(polyctl.run("usb", "rule", "show").out().contains("rule: 46f4:0001 -> Desk"));
    }
}
