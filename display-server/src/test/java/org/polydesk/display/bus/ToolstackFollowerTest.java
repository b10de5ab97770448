package org.polydesk.display.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.sink.PngSink;
import org.polydesk.display.source.Backoff;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;

/**
 * What the display server takes from polydeskd about a passthrough VM, over the real transport:
 * a stand-in polydeskd served by protocol's RpcServer (polydeskd itself is tested in toolstack; it cannot start a VM with a GPU
 * on a machine without one) lists a running VM with a viewer channel, then asks for dom0's screen
 * and gives it back, then stops the VM.
 */
class ToolstackFollowerTest {
    private static final UUID VM = UUID.fromString("6f1c3a58-2f0e-4c64-9d57-1b2f3a4c5d6e");

    @TempDir
    Path dir;

    /** Records what the follower tells the monitor, in order. */
    private static final class Recorder implements Passthrough {
        final BlockingQueue<Object> told = new LinkedBlockingQueue<>();

        @Override
        public void passthroughStarted(PassthroughVm vm) {
            told.add(vm);
        }

        @Override
        public void passthroughStopped(int slot) {
            told.add("stopped " + slot);
        }

        @Override
        public void consoleLeaving() {
            told.add("leaving");
        }

        @Override
        public void consoleBack() {
            told.add("back");
        }

        Object next() throws InterruptedException {
            Object o = told.poll(10, TimeUnit.SECONDS);
            assertTrue(o != null, "the follower told the monitor nothing within 10 s");
            return o;
        }
    }

    @Test
    void aPassthroughVmItsRegionFileAndTheConsoleHandOverReachTheMonitor() throws Exception {
        Path socket = dir.resolve("polydeskd.sock");
        VmDefinition def = VmDefinition.builder().id(VM).name("Gaming").slot(3).gpu("0000:01:00.0").build();
        VmSockets sockets = new VmSockets(dir.resolve("vnc.sock").toString(), dir.resolve("qmp.sock").toString(),
                dir.resolve("viewer.sock").toString(), dir.resolve("viewer-region").toString());
        AtomicReference<VmStatus> status = new AtomicReference<>(new VmStatus(def, VmState.RUNNING, 42L, 7, sockets, null));
        Recorder monitor = new Recorder();
        BlockingQueue<String> calls = new LinkedBlockingQueue<>();
        BlockingQueue<RpcServer.Connection> subscribers = new LinkedBlockingQueue<>();
        DisplayServer display = new DisplayServer(new PngSink(dir.resolve("screen.png"), 64, 48, Duration.ofHours(1)),
                new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(), new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        try (RpcServer polydeskd = RpcServer.serve(socket, "stand-in polydeskd", new RpcServer.Handlers()
                .on(ToolstackApi.EVENTS_SUBSCRIBE, (params, connection) -> {
                    calls.add(ToolstackApi.EVENTS_SUBSCRIBE.name());
                    subscribers.add(connection);
                    return List.of(status.get());
                })
                .on(ToolstackApi.CONSOLE_HOLD, (params, connection) -> {
                    calls.add(ToolstackApi.CONSOLE_HOLD.name());
                    return null;
                })
                .on(ToolstackApi.CONSOLE_RELEASED, (params, connection) -> {
                    monitor.told.add(ToolstackApi.CONSOLE_RELEASED.name());
                    return null;
                })
                .on(ToolstackApi.VM_SHOW, (params, connection) -> {
                    calls.add(ToolstackApi.VM_SHOW.name() + " " + params.vm());
                    return status.get();
                }));
             ToolstackFollower follower = new ToolstackFollower(socket, new Backoff(Duration.ofMillis(50),
                     Duration.ofMillis(200)), display, monitor).start()) {
            assertEquals(new PassthroughVm(3, dir.resolve("viewer.sock"), 7, dir.resolve("viewer-region")),
                    monitor.next(), "the channel, domain and region file as polydeskd says them");
            assertEquals(List.of(ToolstackApi.EVENTS_SUBSCRIBE.name(), ToolstackApi.CONSOLE_HOLD.name()), List.copyOf(calls),
                    "subscribed (the snapshot), then asked for dom0's screen");
            RpcServer.Connection follower0 = subscribers.poll(10, TimeUnit.SECONDS);

            ToolstackApi.ConsoleChange release = new ToolstackApi.ConsoleChange(VM.toString(), "0000:01:00.0");
            follower0.send(ToolstackApi.CONSOLE_RELEASE, release);
            assertEquals("leaving", monitor.next());
            assertEquals(ToolstackApi.CONSOLE_RELEASED.name(), monitor.next(), "released is said once let go");
            follower0.send(ToolstackApi.CONSOLE_RETURNED, release);
            assertEquals("back", monitor.next());

            status.set(new VmStatus(def, VmState.STOPPED, null, null, null, null));
            follower0.send(ToolstackApi.EVENT, new LifecycleEvent(2, LifecycleEvent.Type.STOPPED, VM, "Gaming", 3, null, null));
            assertEquals("stopped 3", monitor.next());
            assertEquals(ToolstackApi.VM_SHOW.name() + " " + VM, List.copyOf(calls).get(calls.size() - 1),
                    "the stopped VM was looked up by its id");
        } finally {
            display.close();
        }
    }
}
