package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.toolstack.daemon.DaemonFixture;
import picocli.CommandLine;

/** polyctl against a real polydeskd: what a person types, what they read, and the exit codes. */
class PolyctlTest {
    @TempDir
    Path tmp;
    DaemonFixture fixture;

    /** What one polyctl run printed and returned. */
    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(out);
        }
    }

    @BeforeEach
    void start() throws Exception {
        fixture = new DaemonFixture(tmp);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    Run polyctl(String... args) {
        return polyctlOn(fixture.socket(), args);
    }

    static Run polyctlOn(Path socket, String... args) {
        CommandLine cl = Polyctl.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--socket=" + socket);
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void createListShowEditDelete() throws Exception {
        Run created = polyctl("vm", "create", "--name", "Windows 11", "--memory", "4096", "--vcpus", "2",
                "--disk", "/srv/win.qcow2,format=qcow2", "--disk", "/srv/win.iso,cdrom", "--display", "1920x1080");
        assertEquals(0, created.exit(), created.err());
        assertEquals("created 'Windows 11' (slot 1): stopped\n", created.out());

        Run list = polyctl("vm", "list");
        assertTrue(list.out().lines().anyMatch(l -> l.matches("1\\s+Windows 11\\s+stopped\\s+4096 MiB\\s+2\\s+[0-9a-f-]{36}")),
                list.out());

        JsonNode shown = polyctl("vm", "show", "windows 11", "--json").json();
        assertEquals("stopped", shown.path("state").asText());
        assertEquals(1920, shown.path("definition").path("display").path("width").asInt());
        assertTrue(shown.path("definition").path("disks").get(1).path("cdrom").asBoolean());
        assertTrue(shown.path("definition").path("disks").get(1).path("readOnly").asBoolean());

        Run edited = polyctl("vm", "edit", "Windows 11", "--memory", "8192", "--slot", "4");
        assertEquals(0, edited.exit(), edited.err());
        JsonNode after = polyctl("vm", "show", "Windows 11", "--json").json().path("definition");
        assertEquals(8192, after.path("memoryMib").asInt());
        assertEquals(4, after.path("slot").asInt());
        assertEquals(2, after.path("vcpus").asInt(), "fields not given to edit are kept");

        assertEquals(0, polyctl("vm", "delete", "Windows 11").exit());
        assertEquals("[ ]", polyctl("vm", "list", "--json").out().strip());
    }

    @Test
    void definitionsSurviveADaemonRestart() throws Exception {
        polyctl("vm", "create", "--name", "Kept", "--memory", "512", "--slot", "6");
        fixture.close();
        fixture = new DaemonFixture(tmp);
        JsonNode def = polyctl("vm", "show", "Kept", "--json").json().path("definition");
        assertEquals(6, def.path("slot").asInt());
        assertEquals(512, def.path("memoryMib").asInt());
    }

    @Test
    void exitCodesTellWhatWentWrong() {
        polyctl("vm", "create", "--name", "Windows 11", "--slot", "3", "--memory", "256");
        Run taken = polyctl("vm", "create", "--name", "Debian", "--slot", "3", "--memory", "256");
        assertEquals(Polyctl.EXIT_REFUSED, taken.exit());
        assertEquals("polyctl: slot 3 is already used by 'Windows 11'\n", taken.err());

        Run missing = polyctl("vm", "start", "Nowhere");
        assertEquals(Polyctl.EXIT_NOT_FOUND, missing.exit());
        assertEquals("polyctl: no VM is called 'Nowhere'\n", missing.err());

        assertEquals(Polyctl.EXIT_USAGE, polyctl("vm", "create", "--memroy", "1").exit());
        Run badDisk = polyctl("vm", "create", "--name", "X", "--disk", "/a.img,size=3");
        assertEquals(Polyctl.EXIT_USAGE, badDisk.exit());
        assertTrue(badDisk.err().contains("unknown part 'size=3'"), badDisk.err());

        Run stopped = polyctl("vm", "stop", "Windows 11");
        assertEquals(Polyctl.EXIT_REFUSED, stopped.exit());
        assertEquals("polyctl: 'Windows 11' is stopped, not running\n", stopped.err());

        Run unreachable = polyctlOn(tmp.resolve("nobody.sock"), "vm", "list");
        assertEquals(Polyctl.EXIT_UNREACHABLE, unreachable.exit());
        assertTrue(unreachable.err().startsWith("polyctl: cannot reach polydeskd at "), unreachable.err());
    }

    @Test
    void startingAVmWhoseDiskIsMissingLeavesItStoppedWithTheReason() throws Exception {
        polyctl("vm", "create", "--name", "Broken", "--memory", "256", "--disk", tmp.resolve("gone.img").toString());
        Run start = polyctl("vm", "start", "Broken");
        assertEquals(Polyctl.EXIT_REFUSED, start.exit());
        assertEquals("polyctl: cannot start 'Broken': disk " + tmp.resolve("gone.img") + " does not exist\n", start.err());
        JsonNode status = polyctl("vm", "show", "Broken", "--json").json();
        assertEquals("stopped", status.path("state").asText());
        assertTrue(status.path("detail").asText().contains("does not exist"));
    }

    @Test
    void helpDocumentsTheExitCodesAndCompletionIsGenerated() {
        Run help = polyctl("--help");
        assertTrue(help.out().contains("Exit codes:"), help.out());
        assertTrue(help.out().contains("3   polydeskd cannot be reached"), help.out());
        Run completion = polyctl("generate-completion");
        assertEquals(0, completion.exit());
        assertTrue(completion.out().contains("complete -F _complete_polyctl"), completion.out().substring(0, 200));
        assertTrue(completion.out().contains("destroy"));
    }

    @Test
    void hostInfoNamesTheBackend() throws Exception {
        JsonNode info = polyctl("host", "info", "--json").json();
        assertEquals("qemu", info.path("backend").asText());
        assertEquals("tcg", info.path("accelerator").asText());
        assertEquals(9, info.path("freeSlots").size());
        assertEquals(fixture.stateDir().toString(), info.path("stateDirectory").asText());
    }
}
