package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.install.InstallProgress;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.HostSystem;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.toolstack.cli.PolyctlRunner;

/**
 * host.system, host.update and host.boot.ok against a real polydeskd whose updater sees the
 * installed side of a {@link SimulatedMachine} (slot a runs 1.0; an ISO of 2.0 made by xorriso):
 * the real checks and updater, the ISO extracted where it is mounted, a real cp, a real grubenv.
 * Through the API and through polyctl, as a person types it.
 */
class UpdateApiTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;
    SimulatedMachine machine;
    PolyctlRunner polyctl;

    @BeforeEach
    void start() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("daemon"), "--simulated-machine", tmp.toString(),
                "--simulated-delay-ms", "0");
        machine = polydeskd.machine();
        polyctl = new PolyctlRunner(polydeskd.socket());
    }

    @AfterEach
    void stop() {
        polydeskd.close();
    }

    static List<InstallProgress> follow(RpcClient rpc) throws Exception {
        List<InstallProgress> seen = new ArrayList<>();
        while (true) {
            RpcMessage m = rpc.nextNotification();
            assertTrue(m != null, "polydeskd closed the connection during the update; seen: " + seen);
            assertTrue(ToolstackApi.HOST_UPDATE_PROGRESS.matches(m), m.method());
            InstallProgress p = ToolstackApi.HOST_UPDATE_PROGRESS.decode(m);
            seen.add(p);
            if (p.isFinal()) {
                return seen;
            }
        }
    }

    @Test
    void anUpdateGoesIntoSlotBAndIsKeptOnceItsBootIsHealthy() throws Exception {
        HostSystem before = polydeskd.call(ToolstackApi.HOST_SYSTEM);
        assertEquals("1.0", before.release());
        assertEquals("a", before.slot());
        try (RpcClient rpc = polydeskd.connect()) {
            ToolstackApi.HostUpdateStarted started = rpc.call(ToolstackApi.HOST_UPDATE,
                    new ToolstackApi.HostUpdate(machine.updateIso.toString()));
            assertEquals(new ToolstackApi.HostUpdateStarted("2.0", "b", 7), started);
            List<InstallProgress> seen = follow(rpc);
            InstallProgress last = seen.get(seen.size() - 1);
            assertEquals(InstallProgress.Kind.DONE, last.kind(), seen.toString());
            assertTrue(last.text().startsWith("Polydesk 2.0 is in system b. Restart to start it"), last.text());
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), seen.stream().filter(p -> p.kind() == InstallProgress.Kind.STEP)
                    .map(InstallProgress::step).toList());
        }
        assertTrue(machine.ran.contains(List.of("cp", "-a", machine.updateWork.resolve("system") + "/.",
                machine.updateWork.resolve("target") + "/")), "the new system was copied: " + machine.ran);
        assertFalse(Files.exists(machine.updateWork.resolve("iso/.disk")), "the ISO was unmounted");
        assertTrue(Files.readString(machine.grub.resolve("slot-b.cfg")).contains("polydesk.slot=b"));

        PolyctlRunner.Run shown = polyctl.run("host", "system");
        assertEquals(0, shown.exit(), shown.err());
        assertTrue(shown.out().contains("other slot:  b (2.0)\nnext boot:   b (an update, tried once)\n"), shown.out());

        // GRUB boots slot b once; its polydesk-boot-ok says it is healthy.
        org.polydesk.toolstack.install.GrubEnv.write(machine.grub.resolve("grubenv"), new java.util.LinkedHashMap<>(
                java.util.Map.of("default_slot", "a", "tried_slot", "b", "release_a", "1.0", "release_b", "2.0")));
        Files.writeString(machine.cmdline, "placeholder polydesk.slot=b polydesk.trial=1\n");
        Files.writeString(machine.installed.resolve("etc/polydesk/release"), "2.0\n");
        PolyctlRunner.Run ok = polyctl.run("host", "boot-ok");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("slot:        b (kept: boots by default)"), ok.out());
        assertTrue(ok.out().contains("last update: the update to 2.0 came up healthy and was kept"), ok.out());
    }

    @Test
    void badFilesAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "not an image\n".repeat(5000));
        PolyctlRunner.Run notIso = polyctl.run("host", "update", text.toString());
        assertEquals(1, notIso.exit());
        assertTrue(notIso.err().contains("is not a Polydesk ISO: it is not an ISO 9660 image"), notIso.err());

        byte[] whole = Files.readAllBytes(machine.updateIso);
        Path cut = Files.write(tmp.resolve("cut.iso"), java.util.Arrays.copyOf(whole, whole.length / 2));
        PolyctlRunner.Run truncated = polyctl.run("host", "update", cut.toString());
        assertEquals(1, truncated.exit());
        assertTrue(truncated.err().contains("is truncated"), truncated.err());

        RpcClient.CallException relative = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.HOST_UPDATE, new ToolstackApi.HostUpdate("polydesk.iso")));
        assertEquals(ErrorCode.INVALID_PARAMS, relative.errorCode());
        RpcClient.CallException missing = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.HOST_UPDATE, new ToolstackApi.HostUpdate(tmp.resolve("none.iso").toString())));
        assertEquals(ErrorCode.UPDATE_REFUSED, missing.errorCode());

        assertTrue(machine.ran.stream().noneMatch(c -> c.get(0).startsWith("mkfs")), machine.ran.toString());
        assertEquals("a", polydeskd.call(ToolstackApi.HOST_SYSTEM).nextBoot());
    }

    @Test
    void polyctlShowsTheUpdateStepByStep() throws Exception {
        PolyctlRunner.Run run = polyctl.run("host", "update", machine.updateIso.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("updating to Polydesk 2.0 in system b\n[1/7] checking "), run.out());
        assertTrue(run.out().contains("[6/7] making system b the next boot, once\n"), run.out());
        assertTrue(run.out().contains("Polydesk 2.0 is in system b."), run.out());
    }
}
