package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.toolstack.HostProgress;
import org.polydesk.protocol.toolstack.HostProgress.Kind;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.backend.StubBackend;
import org.polydesk.toolstack.cli.PolyctlRunner;

/**
 * host.shutdown and host.reboot on the real polydeskd with the stub backend: every running VM is
 * stopped, one that ignores the power-down request only after the timeout (and the progress says
 * so), and only then the power command runs. The power command is a test double, a script that
 * writes down its argument and which VM processes were still alive when it ran: the real
 * {@code systemctl poweroff} is shown by the ISO boot test.
 */
class HostPowerTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;

    @AfterEach
    void stop() {
        if (polydeskd != null) {
            polydeskd.close();
        }
    }

    Path powerScript(String body) throws Exception {
        Path script = tmp.resolve("power");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    UUID startVm(String name) throws Exception {
        VmStatus s = polydeskd.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                VmDefinition.builder().name(name).memoryMib(256).build()));
        return polydeskd.call(ToolstackApi.VM_START, new ToolstackApi.VmRef(name)).definition().id();
    }

    /** The notifications of one host.shutdown or host.reboot, up to the last, each with when it came (ms after the call). */
    record Seen(HostProgress progress, long atMs) {
    }

    static List<Seen> follow(RpcClient c, long t0) throws Exception {
        List<Seen> seen = new ArrayList<>();
        RpcMessage m;
        while ((m = c.nextNotification()) != null) {
            if (ToolstackApi.HOST_PROGRESS.matches(m)) {
                HostProgress p = ToolstackApi.HOST_PROGRESS.decode(m);
                seen.add(new Seen(p, (System.nanoTime() - t0) / 1_000_000));
                if (p.isFinal()) {
                    return seen;
                }
            }
        }
        throw new AssertionError("the connection ended before the last host.progress: " + seen);
    }

    @Test
    void shutdownStopsEveryVmForcingTheOneThatIgnoresItAfterTheTimeoutThenPowersOff() throws Exception {
        Path out = tmp.resolve("power.out");
        Path script = tmp.resolve("power");
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend", "--power-command", script.toString());
        assertTrue(polydeskd.call(ToolstackApi.HOST_INFO).powerControl());
        startVm("Obeys");
        UUID deaf = startVm("Deaf");
        Files.createFile(polydeskd.vmDir(deaf).resolve(StubBackend.IGNORES_POWER_DOWN));
        long[] pids = polydeskd.call(ToolstackApi.VM_LIST).stream().mapToLong(VmStatus::pid).toArray();
        // The double records which VM processes still lived when the machine was to go down.
        powerScript("for p in " + pids[0] + " " + pids[1] + "; do kill -0 $p 2>/dev/null && echo alive $p; done > "
                + out + ".tmp; echo \"$@\" >> " + out + ".tmp; mv " + out + ".tmp " + out);

        List<Seen> seen;
        try (RpcClient c = polydeskd.connect()) {
            long t0 = System.nanoTime();
            ToolstackApi.HostPowerStarted started = c.call(ToolstackApi.HOST_SHUTDOWN, new ToolstackApi.HostPower(2));
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "the call answers at once, before any VM has ended");
            assertEquals(new ToolstackApi.HostPowerStarted("poweroff", List.of("Obeys", "Deaf"), 2), started);
            seen = follow(c, t0);
        }
        List<HostProgress> p = seen.stream().map(Seen::progress).toList();

        HostProgress obeyed = p.stream().filter(x -> x.kind() == Kind.STOPPED && "Obeys".equals(x.vmName())).findFirst()
                .orElseThrow(() -> new AssertionError("no stopped for Obeys: " + p));
        assertEquals(false, obeyed.forced());
        assertEquals("'Obeys' powered off.", obeyed.text());
        assertTrue(p.contains(new HostProgress(Kind.WAITING, deaf.toString(), "Deaf", 2, null,
                "Waiting for 'Deaf' to power off: forced off in 2 s.")), p.toString());
        assertTrue(p.contains(new HostProgress(Kind.WAITING, deaf.toString(), "Deaf", 1, null,
                "Waiting for 'Deaf' to power off: forced off in 1 s.")), p.toString());
        Seen forcing = seen.stream().filter(s -> s.progress().kind() == Kind.FORCING).findFirst()
                .orElseThrow(() -> new AssertionError("no forcing: " + p));
        assertEquals(new HostProgress(Kind.FORCING, deaf.toString(), "Deaf", 0, true,
                "'Deaf' did not power off within 2 s; forcing it off."), forcing.progress());
        assertTrue(forcing.atMs() >= 1900, "forced only after the timeout, not at " + forcing.atMs() + " ms");
        int forced = p.indexOf(new HostProgress(Kind.STOPPED, deaf.toString(), "Deaf", null, true,
                "'Deaf' was forced off: it ignored the power-down request until the timeout."));
        assertTrue(forced > p.indexOf(forcing.progress()), p.toString());
        assertEquals(new HostProgress(Kind.POWERING, null, null, null, null,
                "Every VM is stopped; the machine is powering off."), p.get(p.size() - 1));

        assertEquals("poweroff\n", Files.readString(out), "the power command ran once, with both VMs gone");
        assertTrue(polydeskd.call(ToolstackApi.VM_LIST).stream().allMatch(s -> s.state() == VmState.STOPPED));
        // The machine is going down: nothing starts, and a second shutdown is refused.
        RpcClient.CallException start = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("Obeys")));
        assertEquals(ErrorCode.WRONG_STATE, start.errorCode());
        assertEquals("the machine is powering off; 'Obeys' may not start now", start.getMessage());
        RpcClient.CallException again = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.HOST_REBOOT, new ToolstackApi.HostPower(null)));
        assertEquals("the machine is already powering off", again.getMessage());
    }

    @Test
    void aVmAlreadyStoppingIsWaitedForAndForcedAtTheTimeoutNotAFailure() throws Exception {
        Path out = tmp.resolve("power.out");
        Path script = powerScript("echo \"$@\" > " + out);
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend", "--power-command", script.toString());
        UUID deaf = startVm("Deaf");
        Files.createFile(polydeskd.vmDir(deaf).resolve(StubBackend.IGNORES_POWER_DOWN));
        // The user's own stop is under way (and would wait ten minutes) when the machine is shut down.
        assertEquals(VmState.STOPPING, polydeskd.call(ToolstackApi.VM_STOP, new ToolstackApi.VmStop("Deaf", 600)).state());

        List<HostProgress> p;
        try (RpcClient c = polydeskd.connect()) {
            c.call(ToolstackApi.HOST_SHUTDOWN, new ToolstackApi.HostPower(2));
            p = follow(c, System.nanoTime()).stream().map(Seen::progress).toList();
        }
        assertTrue(p.contains(new HostProgress(Kind.FORCING, deaf.toString(), "Deaf", 0, true,
                "'Deaf' did not power off within 2 s; forcing it off.")), p.toString());
        assertEquals(new HostProgress(Kind.POWERING, null, null, null, null,
                "Every VM is stopped; the machine is powering off."), p.get(p.size() - 1));
        assertEquals("poweroff\n", Files.readString(out));
        assertEquals(VmState.STOPPED, polydeskd.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Deaf")).state());
    }

    /**
     * host.shutdown closes the start gate before it asks any VM to stop; a VM that crashes in between
     * (a crash after its stop request counts as its power-off) is left crashed. The moment is made
     * here by closing the gate as host.shutdown does, with no stop asked yet.
     */
    @Test
    void aVmThatCrashesWhileTheMachineGoesDownIsNotRestarted() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend");
        polydeskd.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name("Phoenix")
                .memoryMib(256).onCrash(org.polydesk.protocol.vm.CrashAction.RESTART).build()));
        VmStatus running = polydeskd.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("Phoenix"));
        polydeskd.manager().refuseStarts("the machine is powering off");
        try (RpcClient c = polydeskd.connect()) {
            c.call(ToolstackApi.EVENTS_SUBSCRIBE);
            assertTrue(ProcessHandle.of(running.pid()).orElseThrow().destroyForcibly());
            RpcMessage m;
            while ((m = c.nextNotification()) != null) {
                if (ToolstackApi.EVENT.matches(m) && ToolstackApi.EVENT.decode(m).type() == LifecycleEvent.Type.CRASHED) {
                    break;
                }
            }
        }
        VmStatus after = polydeskd.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Phoenix"));
        assertEquals(VmState.CRASHED, after.state(), "left crashed, not restarted: " + after.detail());
        assertTrue(after.detail().endsWith("; not restarted: the machine is powering off"), after.detail());
        RpcClient.CallException start = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("Phoenix")));
        assertEquals("the machine is powering off; 'Phoenix' may not start now", start.getMessage());
    }

    @Test
    void withoutAPowerCommandNothingIsStoppedAndTheCallIsRefused() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend");
        startVm("Busy");
        HostInfo info = polydeskd.call(ToolstackApi.HOST_INFO);
        assertFalse(info.powerControl());
        RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.HOST_SHUTDOWN, new ToolstackApi.HostPower(null)));
        assertEquals(ErrorCode.SERVICE_UNAVAILABLE, e.errorCode());
        assertTrue(e.getMessage().startsWith("this polydeskd does not control the machine's power"), e.getMessage());
        assertEquals(VmState.RUNNING, polydeskd.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Busy")).state());

        // host.info's facts of the machine.
        assertNotNull(info.kernel());
        assertTrue(info.polydeskVersion().matches("\\d+\\.\\d+\\.\\d+.*"), info.polydeskVersion());
        assertTrue(info.uptimeSeconds() > 0, "uptime " + info.uptimeSeconds());
        assertTrue(info.memoryFreeMib() > 0 && info.memoryFreeMib() <= info.memoryMib(), info.toString());
    }

    @Test
    void aFailingPowerCommandIsReportedAndTheMachineStaysUsable() throws Exception {
        Path script = powerScript("echo \"cannot $1 now\"; exit 3");
        polydeskd = TestPolydeskd.start(tmp.resolve("d"), "--stub-backend", "--power-command", script.toString(),
                "--shutdown-timeout", "5");
        startVm("Solo");
        PolyctlRunner.Run run = new PolyctlRunner(polydeskd.socket()).run("host", "reboot");
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.out().startsWith("reboot: stopping Solo (5 s each before forcing)\n"), run.out());
        assertTrue(run.out().contains("  'Solo' powered off.\n"), run.out());
        String why = "The machine does not reboot: " + script + " reboot failed (exit 3): cannot reboot now.";
        assertTrue(run.out().endsWith("  " + why + "\n"), run.out());
        assertEquals("polyctl: " + why + "\n", run.err());
        // Nothing is going down: the VM may start again.
        assertEquals(VmState.RUNNING, polydeskd.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("Solo")).state());
    }
}
