package org.polydesk.display.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;
import org.polydesk.protocol.rpc.Methods;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;

/**
 * What the display server takes from polydeskd about a passthrough VM, over the real wire format:
 * a stand-in polydeskd (polydeskd itself is tested in toolstack; it cannot start a VM with a GPU
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
        DisplayServer display = new DisplayServer(new PngSink(dir.resolve("screen.png"), 64, 48, Duration.ofHours(1)),
                new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(), new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (ToolstackFollower follower = new ToolstackFollower(socket, new Backoff(Duration.ofMillis(50),
                    Duration.ofMillis(200)), display, monitor).start();
                 SocketChannel polydeskd = server.accept()) {
                InputStream in = Channels.newInputStream(polydeskd);
                OutputStream out = Channels.newOutputStream(polydeskd);
                LineFraming.Reader lines = new LineFraming.Reader(in);

                answer(lines, out, Methods.EVENTS_SUBSCRIBE, NullNode.getInstance());
                answer(lines, out, Methods.CONSOLE_HOLD, NullNode.getInstance());
                answer(lines, out, Methods.VM_LIST, Json.mapper().valueToTree(List.of(status.get())));
                assertEquals(new PassthroughVm(3, dir.resolve("viewer.sock"), 7, dir.resolve("viewer-region")),
                        monitor.next(), "the channel, domain and region file as polydeskd says them");

                JsonNode release = Json.mapper().createObjectNode().put("vm", VM.toString()).put("gpu", "0000:01:00.0");
                send(out, RpcMessage.notification(Methods.CONSOLE_RELEASE, release));
                assertEquals("leaving", monitor.next());
                RpcMessage released = answer(lines, out, Methods.CONSOLE_RELEASED, NullNode.getInstance());
                assertEquals(release, released.params(), "released is said once let go, for that VM and card");
                send(out, RpcMessage.notification(Methods.CONSOLE_RETURNED, release));
                assertEquals("back", monitor.next());

                status.set(new VmStatus(def, VmState.STOPPED, null, null, null, null));
                send(out, RpcMessage.notification(Methods.EVENT, Json.mapper().valueToTree(new LifecycleEvent(2,
                        LifecycleEvent.Type.STOPPED, VM, "Gaming", 3, null, null))));
                answer(lines, out, Methods.VM_SHOW, Json.mapper().valueToTree(status.get()));
                assertEquals("stopped 3", monitor.next());
            }
        } finally {
            display.close();
        }
    }

    /** Reads the follower's next request, which must be {@code method}, and answers it with {@code result}. */
    private static RpcMessage answer(LineFraming.Reader lines, OutputStream out, String method, JsonNode result)
            throws IOException {
        String line = lines.readLine();
        assertTrue(line != null, "the follower hung up before " + method);
        RpcMessage request = Json.mapper().readValue(line, RpcMessage.class);
        assertEquals(method, request.method());
        send(out, RpcMessage.result(request.id(), result));
        return request;
    }

    private static void send(OutputStream out, RpcMessage message) throws IOException {
        out.write((Json.mapper().writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
