package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/** polyctl against a real polydeskd: what a person types, what they read, and the exit codes. */
class PolyctlTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;

    @BeforeEach
    void start() throws Exception {
        polydeskd = TestPolydeskd.start(tmp);
    }

    @AfterEach
    void stop() {
        polydeskd.close();
    }

    PolyctlRunner.Run polyctl(String... args) {
        return new PolyctlRunner(polydeskd.socket()).run(args);
    }

    private JsonNode json(String... args) throws Exception {
        return new PolyctlRunner(polydeskd.socket()).json(args);
    }

    @Test
    void createListShowEditDelete() throws Exception {
        PolyctlRunner.Run created = polyctl("vm", "create", "--name", "Windows 11", "--memory", "4096", "--vcpus", "2",
                "--disk", "/srv/win.qcow2,format=qcow2", "--disk", "/srv/win.iso,cdrom", "--display", "1920x1080");
        assertEquals(0, created.exit(), created.err());
        assertEquals("created 'Windows 11' (slot 1): stopped\n", created.out());

        PolyctlRunner.Run list = polyctl("vm", "list");
        assertTrue(list.out().lines().anyMatch(l -> l.matches("1\\s+Windows 11\\s+stopped\\s+4096 MiB\\s+2\\s+[0-9a-f-]{36}")),
                list.out());

        JsonNode shown = json("vm", "show", "windows 11");
        assertEquals("stopped", shown.path("state").asText());
        assertEquals(1920, shown.path("definition").path("display").path("width").asInt());
        assertTrue(shown.path("definition").path("disks").get(1).path("cdrom").asBoolean());
        assertTrue(shown.path("definition").path("disks").get(1).path("readOnly").asBoolean());

        PolyctlRunner.Run edited = polyctl("vm", "edit", "Windows 11", "--memory", "8192", "--slot", "4");
        assertEquals(0, edited.exit(), edited.err());
        JsonNode after = json("vm", "show", "Windows 11").path("definition");
        assertEquals(8192, after.path("memoryMib").asInt());
        assertEquals(4, after.path("slot").asInt());
        assertEquals(2, after.path("vcpus").asInt(), "fields not given to edit are kept");

        assertEquals(0, polyctl("vm", "delete", "Windows 11").exit());
        assertEquals("[ ]", polyctl("vm", "list", "--json").out().strip());
    }

    @Test
    void focusIsAskedOfInputServersFocusBusAndItsAbsenceIsSaid() throws Exception {
        PolyctlRunner.Run away = polyctl("focus", "ui");
        assertEquals(Polyctl.EXIT_REFUSED, away.exit());
        assertTrue(away.err().contains("input-server is not running"), away.err());

        polyctl("vm", "create", "--name", "Debian", "--slot", "3", "--memory", "256");
        // A stand-in for input-server's focus bus (input-server has its own tests): protocol's server, answering focus.set.
        CompletableFuture<FocusBus.SlotRef> asked = new CompletableFuture<>();
        try (RpcServer bus = RpcServer.serve(polydeskd.runDir().resolve(FocusBus.SOCKET.getFileName()), "focus bus",
                new RpcServer.Handlers().on(FocusBus.SET, (slot, connection) -> {
                    asked.complete(slot);
                    return new FocusChanged(7, slot.slot(), null, FocusChanged.Cause.REQUEST);
                }))) {
            PolyctlRunner.Run moved = polyctl("focus", "debian");
            assertEquals(0, moved.exit(), moved.err());
            assertEquals("focus: slot 3 (debian)\n", moved.out());
            assertEquals(new FocusBus.SlotRef(3), asked.get(10, TimeUnit.SECONDS));
        }
        PolyctlRunner.Run unknown = polyctl("focus", "Nowhere");
        assertEquals(Polyctl.EXIT_NOT_FOUND, unknown.exit());
    }

    @Test
    void definitionsSurviveADaemonRestart() throws Exception {
        polyctl("vm", "create", "--name", "Kept", "--memory", "512", "--slot", "6");
        polydeskd.close();
        polydeskd = TestPolydeskd.start(tmp);
        JsonNode def = json("vm", "show", "Kept").path("definition");
        assertEquals(6, def.path("slot").asInt());
        assertEquals(512, def.path("memoryMib").asInt());
    }

    @Test
    void exitCodesTellWhatWentWrong() {
        polyctl("vm", "create", "--name", "Windows 11", "--slot", "3", "--memory", "256");
        PolyctlRunner.Run taken = polyctl("vm", "create", "--name", "Debian", "--slot", "3", "--memory", "256");
        assertEquals(Polyctl.EXIT_REFUSED, taken.exit());
        assertEquals("polyctl: slot 3 is already used by 'Windows 11'\n", taken.err());

        PolyctlRunner.Run missing = polyctl("vm", "start", "Nowhere");
        assertEquals(Polyctl.EXIT_NOT_FOUND, missing.exit());
        assertEquals("polyctl: no VM is called 'Nowhere'\n", missing.err());

        assertEquals(Polyctl.EXIT_USAGE, polyctl("vm", "create", "--memroy", "1").exit());
        PolyctlRunner.Run badDisk = polyctl("vm", "create", "--name", "X", "--disk", "/a.img,size=3");
        assertEquals(Polyctl.EXIT_USAGE, badDisk.exit());
        assertTrue(badDisk.err().contains("unknown part 'size=3'"), badDisk.err());

        PolyctlRunner.Run stopped = polyctl("vm", "stop", "Windows 11");
        assertEquals(Polyctl.EXIT_REFUSED, stopped.exit());
        assertEquals("polyctl: cannot stop 'Windows 11': it is stopped; only a running or paused VM can be stopped\n", stopped.err());

        PolyctlRunner.Run unreachable = new PolyctlRunner(tmp.resolve("nobody.sock")).run("vm", "list");
        assertEquals(Polyctl.EXIT_UNREACHABLE, unreachable.exit());
        assertTrue(unreachable.err().startsWith("polyctl: cannot reach polydeskd at "), unreachable.err());
    }

    @Test
    void startingAVmWhoseDiskIsMissingLeavesItStoppedWithTheReason() throws Exception {
        polyctl("vm", "create", "--name", "Broken", "--memory", "256", "--disk", tmp.resolve("gone.img").toString());
        PolyctlRunner.Run start = polyctl("vm", "start", "Broken");
        assertEquals(Polyctl.EXIT_REFUSED, start.exit());
        assertEquals("polyctl: cannot start 'Broken': disk " + tmp.resolve("gone.img") + " does not exist\n", start.err());
        JsonNode status = json("vm", "show", "Broken");
        assertEquals("stopped", status.path("state").asText());
        assertTrue(status.path("detail").asText().contains("does not exist"));
    }

    @Test
    void helpDocumentsTheExitCodesAndCompletionIsGenerated() {
        PolyctlRunner.Run help = polyctl("--help");
        assertTrue(help.out().contains("Exit codes:"), help.out());
        assertTrue(help.out().contains("3   polydeskd cannot be reached"), help.out());
        PolyctlRunner.Run completion = polyctl("generate-completion");
        assertEquals(0, completion.exit());
        assertTrue(completion.out().contains("complete -F _complete_polyctl"), completion.out().substring(0, 200));
        assertTrue(completion.out().contains("destroy"));
    }

    private Path resource(String name) throws Exception {
        Path file = tmp.resolve(name);
        try (var in = getClass().getResourceAsStream("/org/polydesk/toolstack/xlcfg/" + name)) {
            java.nio.file.Files.copy(in, file);
        }
        return file;
    }

    @Test
    void importNamesUnsupportedKeysAndRefusesUntilToldToDropThem() throws Exception {
        Path cfg = resource("windows-hvm.cfg");
        PolyctlRunner.Run refused = polyctl("vm", "import", cfg.toString());
        assertEquals(Polyctl.EXIT_REFUSED, refused.exit());
        assertTrue(refused.err().startsWith("polyctl: " + cfg + " has settings Polydesk cannot represent:\n"), refused.err());
        assertTrue(refused.err().contains("\n  line 20: disk[1].backendtype: "), refused.err());
        assertTrue(refused.err().contains("\n  line 41: on_crash: "), refused.err());
        assertEquals("[ ]", polyctl("vm", "list", "--json").out().strip(), "nothing was imported");

        PolyctlRunner.Run imported = polyctl("vm", "import", cfg.toString(), "--drop-unsupported", "--slot", "5");
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(imported.err().contains("polyctl: left out line 41: on_crash: "), imported.err());
        assertTrue(imported.err().contains("polyctl: note line "), imported.err());
        JsonNode def = json("vm", "show", "5").path("definition");
        assertEquals(5, def.path("slot").asInt());
        assertTrue(def.hasNonNull("gpu"), "gfx_passthru made the first pci device the GPU");
    }

    @Test
    void exportWritesWhatImportReadsBack() throws Exception {
        Path cfg = resource("pvh-linux.cfg");
        assertEquals(0, polyctl("vm", "import", cfg.toString()).exit());
        JsonNode original = json("vm", "show", "debian-pvh").path("definition");
        Path out = tmp.resolve("exported.cfg");
        PolyctlRunner.Run export = polyctl("vm", "export", "debian-pvh", "-o", out.toString());
        assertEquals(0, export.exit(), export.err());
        String text = java.nio.file.Files.readString(out);
        assertTrue(text.contains("type = \"pvh\""), text);
        assertTrue(text.contains("memory = 2048"), text);
        assertEquals(text, polyctl("vm", "export", "debian-pvh").out(), "stdout and -o write the same");

        assertEquals(0, polyctl("vm", "delete", "debian-pvh").exit());
        PolyctlRunner.Run again = polyctl("vm", "import", out.toString());
        assertEquals(0, again.exit(), again.err());
        JsonNode reimported = json("vm", "show", "debian-pvh").path("definition");
        assertEquals(original, reimported, "an exported VM imports back to the same definition, id included");
    }

    @Test
    void hostInfoNamesTheBackend() throws Exception {
        JsonNode info = json("host", "info");
        assertEquals("qemu", info.path("backend").asText());
        assertEquals("tcg", info.path("accelerator").asText());
        assertEquals(9, info.path("freeSlots").size());
        assertEquals(polydeskd.stateDir().toString(), info.path("stateDirectory").asText());
    }
}
