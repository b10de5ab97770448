package org.polydesk.toolstack.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.qmp.QmpClient;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.testsupport.Ppm;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The lifecycle actions on the real QEMU under polydeskd, each seen from inside the Linux test
 * guest (its serial console and its screen), driven through polyctl as a user would.
 * The guest counts on its serial port and on its screen (polydesk.tick) and runs typed commands
 * (polydesk.shell). The tests that boot the guest and wait on it take half a minute each and are
 * system tests; the crash loop (QEMU killed before the guest boots) takes seconds and runs in CI.
 */
class QemuLifecycleActionsTest {
    private static final Pattern TICK = Pattern.compile("POLYDESK-GUEST TICK (\\d+)");
    private static final Duration QMP = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;
    PolyctlRunner polyctl;

    @AfterEach
    void cleanUp() throws Exception {
        if (polydeskd != null) {
            for (JsonNode vm : polyctl.json("vm", "list")) {
                if (vm.hasNonNull("pid")) {
                    ProcessHandle.of(vm.get("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            polydeskd.close();
        }
    }

    private String create(String name, String... more) throws Exception {
        polydeskd = polydeskd != null ? polydeskd : TestPolydeskd.start(tmp);
        polyctl = new PolyctlRunner(polydeskd.socket());
        List<String> args = new ArrayList<>(List.of("vm", "create", "--name", name, "--memory", "256",
                "--kernel", TestGuest.kernel().toString(), "--ramdisk", TestGuest.initrd().toString(),
                "--cmdline", TestGuest.cmdline("3060C0") + " polydesk.tick=1 polydesk.shell=1"));
        args.addAll(List.of(more));
        return polyctl.json(args.toArray(String[]::new)).path("definition").path("id").asText();
    }

    private Path vmDir(String id) {
        return Paths.vmDir(tmp.resolve("run"), UUID.fromString(id));
    }

    private void ok(String... args) {
        PolyctlRunner.Run r = polyctl.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
    }

    private static String console(Path dir) throws Exception {
        Path log = dir.resolve("console.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    /** The guest's last counter value on its console, 0 before the first. */
    private static int lastTick(Path dir) throws Exception {
        Matcher m = TICK.matcher(console(dir));
        int last = 0;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    private static int awaitTick(Path dir, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            int t = lastTick(dir);
            if (t >= atLeast) {
                return t;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the guest's counter did not reach " + atLeast + ": " + console(dir));
    }

    private static byte[] screen(QmpClient qmp, Path file) throws Exception {
        qmp.execute("screendump", Json.mapper().createObjectNode().put("filename", file.toString()), QMP);
        return Ppm.read(file).rgb();
    }

    @Test
    @Tag("system")
    void pauseFreezesTheScreenResumeMovesItRebootBootsAgainForceOffEndsAtOnce() throws Exception {
        String id = create("Counter");
        ok("vm", "start", "Counter");
        Path dir = vmDir(id);
        TestGuest.awaitConsole(dir.resolve("console.log"), TestGuest.READY, 240);
        awaitTick(dir, 2);
        try (QmpClient qmp = QmpClient.connect(dir.resolve("qmp.sock"), null, QMP)) {
            PolyctlRunner.Run pause = polyctl.run("vm", "pause", "Counter");
            assertEquals("paused 'Counter' (slot 1): paused\n", pause.out(), pause.err());
            int frozenAt = lastTick(dir);
            byte[] first = screen(qmp, tmp.resolve("paused-1.ppm"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < until) { // the guest would have counted 2 or more meanwhile
                Thread.sleep(200);
            }
            assertArrayEquals(first, screen(qmp, tmp.resolve("paused-2.ppm")), "a paused guest's screen stands still");
            assertEquals(frozenAt, lastTick(dir), "and it counts no further");

            polydeskd.close(); // a restarted daemon takes it back as paused
            polydeskd = TestPolydeskd.start(tmp);
            assertEquals("paused", polyctl.json("vm", "show", "Counter").path("state").asText());

            PolyctlRunner.Run resume = polyctl.run("vm", "resume", "Counter");
            assertEquals("resumed 'Counter' (slot 1): running\n", resume.out(), resume.err());
            awaitTick(dir, frozenAt + 2);
            assertFalse(java.util.Arrays.equals(first, screen(qmp, tmp.resolve("resumed.ppm"))),
                    "the counter on the screen moves again");
        }

        PolyctlRunner.Run reboot = polyctl.run("vm", "reboot", "Counter", "--timeout", "120");
        assertEquals("rebooted 'Counter' (slot 1): running — the guest restarted\n", reboot.out(), reboot.err());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (console(dir).split(TestGuest.READY, -1).length < 3 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertEquals(3, console(dir).split(TestGuest.READY, -1).length, "READY twice: the guest booted again");
        long pid = polyctl.json("vm", "show", "Counter").path("pid").asLong();

        PolyctlRunner.Run off = polyctl.run("vm", "destroy", "Counter");
        assertEquals("destroyed 'Counter' (slot 1): stopped — destroyed on request\n", off.out(), off.err());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU is gone when force off answers");
    }

    @Test
    @Tag("system")
    void suspendToDiskAndResumeKeepTheGuestsCounter() throws Exception {
        String id = create("Counter");
        ok("vm", "start", "Counter");
        Path dir = vmDir(id);
        awaitTick(dir, 4);
        PolyctlRunner.Run suspend = polyctl.run("vm", "suspend", "Counter");
        assertEquals("suspended 'Counter' (slot 1): suspended — its state is saved on disk\n", suspend.out(), suspend.err());
        int before = lastTick(dir);
        assertTrue(before >= 4);
        assertEquals("suspended", polyctl.json("vm", "show", "Counter").path("state").asText());

        PolyctlRunner.Run resume = polyctl.run("vm", "start", "Counter");
        assertEquals("started 'Counter' (slot 1): running — resumed from its saved state\n", resume.out(), resume.err());
        awaitTick(dir, before + 1);
        Matcher first = TICK.matcher(console(dir));
        assertTrue(first.find());
        int resumedAt = Integer.parseInt(first.group(1));
        assertTrue(resumedAt > before && resumedAt <= before + 2,
                "the counter goes on from " + before + " (first after the resume: " + resumedAt + "), not from 1");
        assertFalse(console(dir).contains(TestGuest.READY), "no boot: the guest went on where it was");
    }

    @Test
    @Tag("system")
    void aSecondIsoInsertedWhileRunningIsTheOneTheGuestReads() throws Exception {
        Path a = iso("DISC_A");
        Path b = iso("DISC_B");
        String id = create("Installer", "--disk", a + ",cdrom,vdev=hdc");
        ok("vm", "start", "Installer");
        Path dir = vmDir(id);
        TestGuest.awaitConsole(dir.resolve("console.log"), TestGuest.READY, 240);
        try (QmpClient qmp = QmpClient.connect(dir.resolve("qmp.sock"), null, QMP)) {
            assertEquals("/dev/sr0", label(qmp, dir, "DISC_A"));
            PolyctlRunner.Run insert = polyctl.run("vm", "cd-insert", "Installer", b.toString());
            assertEquals(0, insert.exit(), insert.err());
            assertEquals("/dev/sr0", label(qmp, dir, "DISC_B"), "the guest's /dev/sr0 carries the new label");
            ok("vm", "cd-eject", "Installer");
            assertEquals("", label(qmp, dir, "DISC_B"), "no medium: no label");
        }
    }

    /**
     * A restart of polydeskd keeps what a running VM's CD drive holds: the next daemon knows the disc
     * put in while the VM ran (a suspend is refused for it, and it can be ejected), and the drive
     * itself still holds it. Takes seconds: the drive changes whether or not a guest has booted.
     */
    @Test
    void aCdPutInWhileRunningIsStillKnownAfterADaemonRestart() throws Exception {
        Path disc = iso("DISC_B");
        polydeskd = TestPolydeskd.start(tmp);
        polyctl = new PolyctlRunner(polydeskd.socket());
        ok("vm", "create", "--name", "Installer", "--memory", "128", "--disk", ",cdrom,vdev=hdc");
        ok("vm", "start", "Installer");
        ok("vm", "cd-insert", "Installer", disc.toString());
        String id = polyctl.json("vm", "show", "Installer").path("definition").path("id").asText();

        polydeskd.close(); // the VM runs on, and the next daemon takes it back
        polydeskd = TestPolydeskd.start(tmp);
        assertEquals("running", polyctl.json("vm", "show", "Installer").path("state").asText());
        try (QmpClient qmp = QmpClient.connect(vmDir(id).resolve("qmp.sock"), null, QMP)) {
            assertTrue(medium(qmp).contains(disc.toString()), "the drive holds the disc: " + medium(qmp));
            PolyctlRunner.Run suspend = polyctl.run("vm", "suspend", "Installer");
            assertNotEquals(0, suspend.exit(), suspend.out());
            assertTrue(suspend.err().contains("has a CD changed while it runs"), suspend.err());
            PolyctlRunner.Run eject = polyctl.run("vm", "cd-eject", "Installer");
            assertEquals(0, eject.exit(), "the disc put in before the restart is ejected: " + eject.err());
            assertEquals("", medium(qmp), "the drive is empty");
        }
        ok("vm", "destroy", "Installer");
        assertFalse(Files.exists(tmp.resolve("running").resolve(id + ".json")), "nothing is kept of a VM that ended");
    }

    /** The file in the VM's removable drive (QMP query-block), or "" when it holds none. */
    private static String medium(QmpClient qmp) throws Exception {
        for (JsonNode b : qmp.execute("query-block", null, QMP)) {
            if (b.path("removable").asBoolean()) {
                return b.path("inserted").path("file").asText("");
            }
        }
        throw new AssertionError("no removable drive in query-block");
    }

    /** Makes a tiny ISO 9660 image labelled {@code label}. */
    private Path iso(String label) throws Exception {
        Path content = Files.createDirectories(tmp.resolve(label));
        Files.writeString(content.resolve("hello.txt"), label);
        Path iso = tmp.resolve(label + ".iso");
        Process p = new ProcessBuilder("xorriso", "-as", "mkisofs", "-V", label, "-o", iso.toString(), content.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "xorriso made " + iso);
        return iso;
    }

    /**
     * What the guest's findfs (busybox's blkid code; busybox-static has no blkid applet) finds labelled
     * {@code label}, retried for a few seconds: the first opens after a medium change see the change.
     */
    private String label(QmpClient qmp, Path dir, String label) throws Exception {
        int before = console(dir).split("POLYDESK-GUEST CMD EXIT", -1).length;
        type(qmp, "for i in 1 2 3 4 5 6; do findfs LABEL=" + label + " && break; sleep 1; done\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (console(dir).split("POLYDESK-GUEST CMD EXIT", -1).length == before && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        String all = console(dir);
        int cmd = all.lastIndexOf("POLYDESK-GUEST CMD for i");
        int exit = all.lastIndexOf("POLYDESK-GUEST CMD EXIT");
        assertTrue(cmd >= 0 && exit > cmd, "the guest ran the command: " + all);
        return all.substring(all.indexOf('\n', cmd) + 1, exit).lines()
                .filter(l -> !TICK.matcher(l).find()).findFirst().orElse("").strip();
    }

    private static final Map<Character, String> KEYS = Map.of(' ', "spc", '=', "equal", ';', "semicolon", '\n', "ret",
            '/', "slash", '-', "minus", '.', "dot");

    private static void type(QmpClient qmp, String text) throws Exception {
        for (char c : text.toCharArray()) {
            List<String> keys;
            if (c == '&') {
                keys = List.of("shift", "7");
            } else if (c == '_') {
                keys = List.of("shift", "minus");
            } else if (Character.isUpperCase(c)) {
                keys = List.of("shift", String.valueOf(Character.toLowerCase(c)));
            } else {
                keys = List.of(KEYS.getOrDefault(c, String.valueOf(c)));
            }
            ObjectNode args = Json.mapper().createObjectNode();
            var array = args.putArray("keys");
            keys.forEach(k -> array.addObject().put("type", "qcode").put("data", k));
            qmp.execute("send-key", args, QMP);
        }
    }

    @Test
    void aGuestThatIgnoresTheRestartRequestIsResetAfterTheTimeout() throws Exception {
        polydeskd = TestPolydeskd.start(tmp);
        polyctl = new PolyctlRunner(polydeskd.socket());
        // No kernel and no disk: the firmware waits for a boot device and nothing answers ACPI.
        ok("vm", "create", "--name", "Deaf", "--memory", "128");
        ok("vm", "start", "Deaf");
        long pid = polyctl.json("vm", "show", "Deaf").path("pid").asLong();
        PolyctlRunner.Run reboot = polyctl.run("vm", "reboot", "Deaf", "--timeout", "2");
        assertEquals("rebooted 'Deaf' (slot 1): running — reset after the guest ignored the restart request for 2 s\n",
                reboot.out(), reboot.err());
        assertEquals(pid, polyctl.json("vm", "show", "Deaf").path("pid").asLong(), "the same QEMU, reset");
        String id = polyctl.json("vm", "show", "Deaf").path("definition").path("id").asText();
        try (QmpClient qmp = QmpClient.connect(vmDir(id).resolve("qmp.sock"), null, QMP)) {
            assertEquals("running", qmp.execute("query-status", null, QMP).path("status").asText());
        }
        ok("vm", "destroy", "Deaf");
    }

    @Test
    void aQemuKilledFourTimesWithinAMinuteIsRestartedThreeTimesThenLeftStopped() throws Exception {
        String id = create("Flaky");
        ok("vm", "start", "Flaky");
        long pid = polyctl.json("vm", "show", "Flaky").path("pid").asLong();
        for (int restart = 1; restart <= 3; restart++) {
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            JsonNode now = polyctl.json("vm", "show", "Flaky");
            while ((now.path("pid").asLong() == pid || !"running".equals(now.path("state").asText()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                now = polyctl.json("vm", "show", "Flaky");
            }
            assertEquals("running", now.path("state").asText(), "restart " + restart + ": " + now);
            assertNotEquals(pid, now.path("pid").asLong());
            pid = now.path("pid").asLong();
        }
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode now = polyctl.json("vm", "show", "Flaky");
        while (!"stopped".equals(now.path("state").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = polyctl.json("vm", "show", "Flaky");
        }
        assertEquals("stopped", now.path("state").asText());
        assertTrue(now.path("detail").asText().startsWith("crashed 4 times within 60 s; left stopped. Last crash: QEMU ended"),
                now.path("detail").asText());
        assertFalse(Files.exists(vmDir(id).resolve("qmp.sock")));
    }
}
