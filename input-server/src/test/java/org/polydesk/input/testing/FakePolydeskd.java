package org.polydesk.input.testing;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;

/**
 * polydeskd as the input server sees it, served by protocol's own {@link RpcServer}:
 * {@link ToolstackApi#EVENTS_SUBSCRIBE} answers the running VMs the test declares (the snapshot),
 * then the connection gets the lifecycle events the test publishes.
 */
public final class FakePolydeskd implements Closeable {
    private final RpcServer server;
    private final List<RpcServer.Connection> subscribers = new CopyOnWriteArrayList<>();
    private final List<VmStatus> running = new ArrayList<>();
    private long seq;

    public FakePolydeskd(Path socket) throws IOException {
        server = RpcServer.serve(socket, "fake polydeskd", new RpcServer.Handlers()
                .on(ToolstackApi.EVENTS_SUBSCRIBE, (params, connection) -> {
                    synchronized (this) {
                        // Under the lock publish takes: the snapshot goes before any event.
                        connection.answerNow(ToolstackApi.EVENTS_SUBSCRIBE, List.copyOf(running));
                        subscribers.add(connection);
                        connection.onClose(() -> subscribers.remove(connection));
                        return null;
                    }
                }));
    }

    /** A VM that the snapshot reports as running (call before the input server connects, or publish started). */
    public synchronized void running(UUID id, String name, int slot, Path qmp) {
        VmDefinition def = VmDefinition.builder().id(id).name(name).slot(slot).build();
        running.add(new VmStatus(def, VmState.RUNNING, null, null, new VmSockets(null, qmp.toString(), null), null));
    }

    public synchronized void publish(LifecycleEvent.Type type, UUID id, String name, int slot, Path qmp) {
        if (type == LifecycleEvent.Type.STARTED) {
            running(id, name, slot, qmp);
        } else {
            running.removeIf(vm -> vm.definition().id().equals(id));
        }
        LifecycleEvent e = new LifecycleEvent(++seq, type, id, name, slot,
                qmp == null ? null : new VmSockets(null, qmp.toString(), null), null);
        for (RpcServer.Connection c : subscribers) {
            c.send(ToolstackApi.EVENT, e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
