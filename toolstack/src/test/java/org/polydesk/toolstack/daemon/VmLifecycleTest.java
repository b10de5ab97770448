package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.ToolstackApi.VmRef;
import org.polydesk.protocol.vm.CrashAction;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.cli.PolyctlRunner;

/**
 * The lifecycle state machine of the real polydeskd over its socket, on the stub backend (a VM is a
 * child process): each action in the states it fits, the events it produces, a clear WRONG_STATE in
 * every other, the suspend image's checks, the crash-loop bound, and polyctl waiting for results.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VmLifecycleTest {
    @TempDir
    Path tmp;
    TestPolydeskd daemon;
    RpcClient events;
    final BlockingQueue<LifecycleEvent> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void startDaemon() throws Exception {
        daemon = TestPolydeskd.start(tmp, "--stub-backend");
        events = daemon.connect();
        events.call(ToolstackApi.EVENTS_SUBSCRIBE);
        Thread t = new Thread(() -> {
            try {
                RpcMessage m;
                while ((m = events.nextNotification()) != null) {
                    if (ToolstackApi.EVENT.matches(m)) {
                        received.add(ToolstackApi.EVENT.decode(m));
                    }
                }
            } catch (Exception e) {
                // closed by the test
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws Exception {
        events.close();
        daemon.close();
    }

    private VmStatus create(VmDefinition.Builder def) throws Exception {
        VmStatus s = daemon.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(def.build()));
        await(LifecycleEvent.Type.CREATED);
        return s;
    }

    private VmStatus start(String vm) throws Exception {
        VmStatus s = daemon.call(ToolstackApi.VM_START, new VmRef(vm));
        assertEquals(VmState.RUNNING, s.state());
        await(LifecycleEvent.Type.STARTING);
        await(LifecycleEvent.Type.RUNNING);
        return s;
    }

    /** The next event, which must be of {@code type}. */
    private LifecycleEvent await(LifecycleEvent.Type type) throws InterruptedException {
        LifecycleEvent e = received.poll(30, TimeUnit.SECONDS);
        assertTrue(e != null, "no event within 30 s, expected " + type.wireName());
        assertEquals(type, e.type(), "event " + e);
        if (type != LifecycleEvent.Type.DELETED && type != LifecycleEvent.Type.CHANGED && type != LifecycleEvent.Type.CREATED) {
            assertEquals(type.wireName(), e.state().wireName(), "the event carries the state it names");
        }
        return e;
    }

    private RpcClient.CallException refused(org.polydesk.protocol.rpc.RpcMethod<VmRef, VmStatus> method, String vm) {
        return assertThrows(RpcClient.CallException.class, () -> daemon.call(method, new VmRef(vm)));
    }

    private static char processState(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    /** The process's state once it is {@code wanted}, or its last one after 5 s (a signal lands a moment later). */
    private static char processStateOnce(long pid, char wanted) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        char now = processState(pid);
        while (now != wanted && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = processState(pid);
        }
        return now;
    }

    @Test
    void pauseResumeAndTheActionsThatDoNotFitTheState() throws Exception {
        create(VmDefinition.builder().name("Work"));
        RpcClient.CallException e = refused(ToolstackApi.VM_PAUSE, "Work");
        assertEquals(ErrorCode.WRONG_STATE, e.errorCode());
        assertEquals("cannot pause 'Work': it is stopped; only a running VM can be paused", e.getMessage());
        assertEquals("cannot suspend 'Work': it is stopped; only a running or paused VM can be suspended",
                refused(ToolstackApi.VM_SUSPEND, "Work").getMessage());
        assertEquals(ErrorCode.WRONG_STATE, refused(ToolstackApi.VM_DESTROY, "Work").errorCode());
        RpcClient.CallException eject = assertThrows(RpcClient.CallException.class,
                () -> daemon.call(ToolstackApi.VM_CD_EJECT, new ToolstackApi.VmCdEject("Work", null)));
        assertEquals(ErrorCode.WRONG_STATE, eject.errorCode());
        assertTrue(eject.getMessage().contains("it is stopped"), eject.getMessage());

        long pid = start("Work").pid();
        assertEquals("cannot resume 'Work': it is running; only a paused VM can be resumed",
                refused(ToolstackApi.VM_RESUME, "Work").getMessage());
        RpcClient.CallException noDrive = assertThrows(RpcClient.CallException.class,
                () -> daemon.call(ToolstackApi.VM_CD_EJECT, new ToolstackApi.VmCdEject("Work", null)));
        assertEquals(ErrorCode.INVALID_DEFINITION, noDrive.errorCode());
        assertTrue(noDrive.getMessage().contains("'Work' has no CD drive"), noDrive.getMessage());

        assertEquals(VmState.PAUSED, daemon.call(ToolstackApi.VM_PAUSE, new VmRef("Work")).state());
        await(LifecycleEvent.Type.PAUSED);
        assertEquals('T', processStateOnce(pid, 'T'), "the VM's process is frozen");
        assertEquals("cannot pause 'Work': it is paused; only a running VM can be paused",
                refused(ToolstackApi.VM_PAUSE, "Work").getMessage());

        assertEquals(VmState.RUNNING, daemon.call(ToolstackApi.VM_RESUME, new VmRef("Work")).state());
        await(LifecycleEvent.Type.RUNNING);
        long thawed = System.nanoTime() + 5_000_000_000L;
        while (processState(pid) == 'T' && System.nanoTime() < thawed) {
            Thread.sleep(20);
        }
        assertNotEquals('T', processState(pid), "the VM's process runs on");

        assertEquals(VmState.STOPPED, daemon.call(ToolstackApi.VM_DESTROY, new VmRef("Work")).state());
        await(LifecycleEvent.Type.STOPPING);
        assertEquals("destroyed on request", await(LifecycleEvent.Type.STOPPED).detail());
    }

    @Test
    void stopRebootAndSuspendAnswerAtOnceAndEndInAnEvent() throws Exception {
        create(VmDefinition.builder().name("Work"));
        UUID id = start("Work").definition().id();

        VmStatus rebooting = daemon.call(ToolstackApi.VM_REBOOT, new ToolstackApi.VmStop("Work", 5));
        assertEquals(VmState.STOPPING, rebooting.state());
        assertEquals("rebooting; reset after 5 s", await(LifecycleEvent.Type.STOPPING).detail());
        assertEquals("the guest restarted", await(LifecycleEvent.Type.RUNNING).detail());
        assertEquals(1, daemon.stub().reboots(id));

        assertEquals(VmState.STOPPING, daemon.call(ToolstackApi.VM_STOP, new ToolstackApi.VmStop("Work", 5)).state());
        await(LifecycleEvent.Type.STOPPING);
        assertEquals("the guest powered off", await(LifecycleEvent.Type.STOPPED).detail());
        assertEquals(VmState.STOPPED, daemon.call(ToolstackApi.VM_SHOW, new VmRef("Work")).state());
    }

    @Test
    void aSuspendedVmResumesFromItsImageAndADamagedOrForeignImageIsRefusedAndKept() throws Exception {
        VmDefinition def = create(VmDefinition.builder().name("Work").memoryMib(512)).definition();
        long pid = start("Work").pid();

        assertEquals(VmState.STOPPING, daemon.call(ToolstackApi.VM_SUSPEND, new VmRef("Work")).state());
        assertEquals("saving its state to disk", await(LifecycleEvent.Type.STOPPING).detail());
        await(LifecycleEvent.Type.SUSPENDED);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the VM has ended");
        Path image = tmp.resolve("suspend").resolve(def.id() + ".img");
        Path meta = tmp.resolve("suspend").resolve(def.id() + ".json");
        assertTrue(Files.exists(image) && Files.exists(meta));
        assertEquals("cannot resume 'Work': it is suspended; vm.start resumes a suspended VM from its saved state",
                refused(ToolstackApi.VM_RESUME, "Work").getMessage());
        assertEquals(ErrorCode.WRONG_STATE, assertThrows(RpcClient.CallException.class,
                () -> daemon.call(ToolstackApi.VM_DELETE, new VmRef("Work"))).errorCode(), "its image would be lost");

        // A daemon restart still knows it is suspended.
        events.close();
        daemon.close();
        startDaemon();
        assertEquals(VmState.SUSPENDED, daemon.call(ToolstackApi.VM_SHOW, new VmRef("Work")).state());
        try (RpcClient subscriber = daemon.connect()) {
            List<VmStatus> snapshot = subscriber.call(ToolstackApi.EVENTS_SUBSCRIBE);
            assertEquals(List.of(VmState.SUSPENDED), snapshot.stream().map(VmStatus::state).toList(),
                    "a new subscriber's snapshot has it suspended");
        }

        // Damaged: one byte changed, the size the same.
        byte[] saved = Files.readAllBytes(image);
        byte[] damaged = saved.clone();
        damaged[damaged.length / 2] ^= 1;
        Files.write(image, damaged);
        RpcClient.CallException e = refused(ToolstackApi.VM_START, "Work");
        assertEquals(ErrorCode.BACKEND_FAILED, e.errorCode());
        assertTrue(e.getMessage().startsWith("the saved state " + image + " is damaged"), e.getMessage());
        assertTrue(e.getMessage().contains("It is kept"), e.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(image), "the refused image is kept as it was");
        assertEquals(VmState.SUSPENDED, daemon.call(ToolstackApi.VM_SHOW, new VmRef("Work")).state());
        await(LifecycleEvent.Type.STARTING);
        assertTrue(await(LifecycleEvent.Type.SUSPENDED).detail().startsWith("resume failed: the saved state"));

        // Whole again, but the definition now has other hardware.
        Files.write(image, saved);
        daemon.call(ToolstackApi.VM_EDIT, new ToolstackApi.VmEdit("Work", def.toBuilder().memoryMib(1024).build()));
        assertEquals("its saved state was made with the old hardware settings: undo the change to resume it",
                await(LifecycleEvent.Type.CHANGED).detail());
        e = refused(ToolstackApi.VM_START, "Work");
        assertTrue(e.getMessage().contains("was made with other hardware settings"), e.getMessage());
        assertTrue(Files.exists(image) && Files.exists(meta), "kept");
        await(LifecycleEvent.Type.STARTING);
        await(LifecycleEvent.Type.SUSPENDED);

        // A name change is not hardware: with the memory back, it resumes.
        daemon.call(ToolstackApi.VM_EDIT, new ToolstackApi.VmEdit("Work", def.toBuilder().name("Office").build()));
        await(LifecycleEvent.Type.CHANGED);
        VmStatus resumed = daemon.call(ToolstackApi.VM_START, new VmRef("Office"));
        assertEquals(VmState.RUNNING, resumed.state());
        assertEquals("resumed from its saved state", resumed.detail());
        assertFalse(Files.exists(image) || Files.exists(meta), "a resumed image is used up");
    }

    @Test
    void aCrashingVmIsRestartedThreeTimesThenLeftStoppedWithTheReason() throws Exception {
        create(VmDefinition.builder().name("Flaky"));
        long pid = start("Flaky").pid();
        for (int restart = 1; restart <= 3; restart++) {
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            LifecycleEvent crashed = await(LifecycleEvent.Type.CRASHED);
            assertTrue(crashed.detail().endsWith("; restarting (" + restart + " of 3 restarts within 60 s)"), crashed.detail());
            await(LifecycleEvent.Type.STARTING);
            await(LifecycleEvent.Type.RUNNING);
            long again = daemon.call(ToolstackApi.VM_SHOW, new VmRef("Flaky")).pid();
            assertNotEquals(pid, again, "a new process");
            pid = again;
        }
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        LifecycleEvent stopped = await(LifecycleEvent.Type.STOPPED);
        assertTrue(stopped.detail().startsWith("crashed 4 times within 60 s; left stopped. Last crash: "), stopped.detail());
        VmStatus status = daemon.call(ToolstackApi.VM_SHOW, new VmRef("Flaky"));
        assertEquals(VmState.STOPPED, status.state());
        assertEquals(stopped.detail(), status.detail());
        assertEquals(null, received.poll(1, TimeUnit.SECONDS), "no further restart");

        create(VmDefinition.builder().name("Fragile").onCrash(CrashAction.STOP));
        ProcessHandle.of(start("Fragile").pid()).orElseThrow().destroyForcibly();
        await(LifecycleEvent.Type.CRASHED);
        assertEquals(VmState.CRASHED, daemon.call(ToolstackApi.VM_SHOW, new VmRef("Fragile")).state());
    }

    @Test
    void cdInsertAndEjectReachTheBackendAndNameTheDrive() throws Exception {
        Path iso = Files.writeString(tmp.resolve("second.iso"), "not really an ISO");
        VmDefinition def = create(VmDefinition.builder().name("Installer")
                .disks(List.of(new Disk(null, null, true, null, "hdc")))).definition();
        start("Installer");
        daemon.call(ToolstackApi.VM_CD_INSERT, new ToolstackApi.VmCdInsert("Installer", iso.toString(), null));
        assertEquals("CD hdc: " + iso + " inserted", await(LifecycleEvent.Type.CHANGED).detail());
        assertEquals(java.util.Map.of(0, iso), daemon.stub().cds(def.id()));
        // A VM whose CD was changed live is not suspended: its resume would get the definition's disc.
        RpcClient.CallException suspend = assertThrows(RpcClient.CallException.class,
                () -> daemon.call(ToolstackApi.VM_SUSPEND, new VmRef("Installer")));
        assertEquals(ErrorCode.WRONG_STATE, suspend.errorCode());
        assertTrue(suspend.getMessage().contains("has a CD changed while it runs"), suspend.getMessage());

        RpcClient.CallException missing = assertThrows(RpcClient.CallException.class, () -> daemon.call(
                ToolstackApi.VM_CD_INSERT, new ToolstackApi.VmCdInsert("Installer", tmp.resolve("none.iso").toString(), null)));
        assertEquals(ErrorCode.INVALID_PARAMS, missing.errorCode());
        RpcClient.CallException noSuchDrive = assertThrows(RpcClient.CallException.class, () -> daemon.call(
                ToolstackApi.VM_CD_EJECT, new ToolstackApi.VmCdEject("Installer", "hdd")));
        assertTrue(noSuchDrive.getMessage().contains("has no CD drive 'hdd'"), noSuchDrive.getMessage());

        daemon.call(ToolstackApi.VM_CD_EJECT, new ToolstackApi.VmCdEject("Installer", "hdc"));
        assertEquals("CD hdc: ejected", await(LifecycleEvent.Type.CHANGED).detail());
        assertEquals(java.util.Map.of(), daemon.stub().cds(def.id()));

        // Nothing left to eject: the error says the drive is empty, and the backend is not asked.
        RpcClient.CallException empty = assertThrows(RpcClient.CallException.class, () -> daemon.call(
                ToolstackApi.VM_CD_EJECT, new ToolstackApi.VmCdEject("Installer", null)));
        assertEquals(ErrorCode.WRONG_STATE, empty.errorCode());
        assertEquals("cannot eject the CD of 'Installer': its drive hdc is empty", empty.getMessage());
    }

    @Test
    void polyctlWaitsForTheOutcomeOfStopRebootAndSuspend() throws Exception {
        create(VmDefinition.builder().name("Work"));
        start("Work");
        PolyctlRunner polyctl = new PolyctlRunner(daemon.socket());

        PolyctlRunner.Run reboot = polyctl.run("vm", "reboot", "Work", "--timeout", "5");
        assertEquals(0, reboot.exit(), reboot.err());
        assertEquals("rebooted 'Work' (slot 1): running — the guest restarted\n", reboot.out());

        PolyctlRunner.Run suspend = polyctl.run("vm", "suspend", "Work");
        assertEquals(0, suspend.exit(), suspend.err());
        assertEquals("suspended 'Work' (slot 1): suspended — its state is saved on disk\n", suspend.out());

        PolyctlRunner.Run resume = polyctl.run("vm", "start", "Work");
        assertEquals("started 'Work' (slot 1): running — resumed from its saved state\n", resume.out());

        PolyctlRunner.Run stop = polyctl.run("vm", "stop", "Work");
        assertEquals(0, stop.exit(), stop.err());
        assertEquals("stopped 'Work' (slot 1): stopped — the guest powered off\n", stop.out());

        PolyctlRunner.Run again = polyctl.run("vm", "stop", "Work");
        assertEquals(1, again.exit());
        assertEquals("polyctl: cannot stop 'Work': it is stopped; only a running or paused VM can be stopped\n", again.err());
    }
}
