package org.polydesk.toolstack.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.CrashAction;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The test polydeskd with the stub backend, as other modules' tests run it (a child JVM started
 * through TestPolydeskd's main): a VM starts with its sockets at the real paths and a live process,
 * stops and is destroyed on request, crashes when its process is killed (told to subscribers as
 * crashed), and does not outlive a killed daemon, whose successor lists it stopped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StubBackendTest {
    @TempDir
    Path tmp;

    private static LifecycleEvent nextEvent(RpcClient events) throws Exception {
        RpcMessage m;
        while ((m = events.nextNotification()) != null) {
            if (ToolstackApi.EVENT.matches(m)) {
                return ToolstackApi.EVENT.decode(m);
            }
        }
        throw new AssertionError("polydeskd closed the connection");
    }

    private static VmStatus start(RpcClient c) throws Exception {
        VmStatus s = c.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("Debian"));
        assertEquals(VmState.RUNNING, s.state());
        assertTrue(ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false), "its process runs");
        return s;
    }

    /** The next event of {@code type}, after any other state events on the way (starting, stopping). */
    private static LifecycleEvent awaitEvent(RpcClient events, LifecycleEvent.Type type) throws Exception {
        while (true) {
            LifecycleEvent e = nextEvent(events);
            if (e.type() == type) {
                return e;
            }
        }
    }

    @Test
    void vmsStartStopCrashAndEndWithTheDaemon() throws Exception {
        try (PolydeskdProcess daemon = PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp, "--stub-backend",
                "--sysfs", tmp.resolve("no-sys").toString());
             RpcClient c = RpcClient.connect(daemon.socket());
             RpcClient events = RpcClient.connect(daemon.socket())) {
            events.call(ToolstackApi.EVENTS_SUBSCRIBE);
            VmStatus created = c.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                    VmDefinition.builder().name("Debian").memoryMib(256).onCrash(CrashAction.STOP).build()));
            assertEquals(LifecycleEvent.Type.CREATED, nextEvent(events).type());
            Path dir = Paths.vmDir(daemon.runDir(), created.definition().id());

            VmStatus running = start(c);
            assertEquals(dir.resolve("qmp.sock").toString(), running.sockets().qmp());
            assertEquals(dir.resolve("vnc.sock").toString(), running.sockets().vnc());
            assertEquals(null, running.sockets().viewer(), "no GPU, no viewer channel");
            assertEquals(LifecycleEvent.Type.STARTING, nextEvent(events).type());
            LifecycleEvent up = nextEvent(events);
            assertEquals(LifecycleEvent.Type.RUNNING, up.type());
            assertEquals(VmState.RUNNING, up.state());
            assertEquals("stub", c.call(ToolstackApi.HOST_INFO).backend());

            VmStatus stopping = c.call(ToolstackApi.VM_STOP, new ToolstackApi.VmStop("Debian", 5));
            assertEquals(VmState.STOPPING, stopping.state(), "vm.stop answers at once");
            assertEquals(LifecycleEvent.Type.STOPPING, nextEvent(events).type());
            LifecycleEvent stopped = nextEvent(events);
            assertEquals(LifecycleEvent.Type.STOPPED, stopped.type());
            assertEquals(VmState.STOPPED, stopped.state());
            assertFalse(ProcessHandle.of(running.pid()).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(VmState.STOPPED, c.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Debian")).state());

            running = start(c);
            awaitEvent(events, LifecycleEvent.Type.RUNNING);
            assertEquals(VmState.STOPPED, c.call(ToolstackApi.VM_DESTROY, new ToolstackApi.VmRef("Debian")).state());
            assertEquals(LifecycleEvent.Type.STOPPED, awaitEvent(events, LifecycleEvent.Type.STOPPED).type());

            running = start(c);
            awaitEvent(events, LifecycleEvent.Type.RUNNING);
            ProcessHandle.of(running.pid()).orElseThrow().destroyForcibly();
            LifecycleEvent crash = nextEvent(events);
            assertEquals(LifecycleEvent.Type.CRASHED, crash.type());
            assertTrue(crash.detail().contains("ended unexpectedly"), crash.detail());
            assertEquals(VmState.CRASHED, c.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Debian")).state());

            running = start(c);
            ProcessHandle vm = ProcessHandle.of(running.pid()).orElseThrow();
            daemon.kill();
            assertTrue(vm.onExit().get(10, TimeUnit.SECONDS) != null, "the stub VM ended with its daemon");
            daemon.restart();
            try (RpcClient again = RpcClient.connect(daemon.socket())) {
                assertEquals(VmState.STOPPED, again.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Debian")).state());
            }
        }
    }
}
