package org.polydesk.input.focus;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Logger;
import org.polydesk.input.sink.InputSink;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.rpc.RpcFollower;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmStatus;

/**
 * Keeps the focus authority's slots in step with polydeskd through protocol's {@link RpcFollower}:
 * each session subscribes to lifecycle events, whose answer is every VM's state (so none that
 * started before is missed, and one that stopped while polydeskd was away is dropped), then
 * follows started / stopped / crashed / deleted. When polydeskd goes away VMs keep their slots and
 * the follower reconnects with back-off.
 */
public final class LifecycleFollower implements Closeable {
    private static final Logger LOG = Logger.getLogger(LifecycleFollower.class.getName());
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

    private final Path daemonSocket;
    private final FocusAuthority focus;
    private final Function<VmSockets, InputSink> sinks;
    private final RpcFollower follower;

    /** @param sinks makes the sink of a VM from its sockets (its QMP socket, whether it has a USB tablet) */
    public LifecycleFollower(Path daemonSocket, FocusAuthority focus, Function<VmSockets, InputSink> sinks) {
        this.daemonSocket = daemonSocket;
        this.focus = focus;
        this.sinks = sinks;
        this.follower = new RpcFollower("polydeskd", daemonSocket, RETRY, this::session, null);
    }

    public void start() {
        follower.start();
    }

    private void session(RpcClient c) throws IOException {
        reconcile(c.call(ToolstackApi.EVENTS_SUBSCRIBE));
        LOG.info("following polydeskd's lifecycle events on " + daemonSocket);
        RpcMessage m;
        while ((m = c.nextNotification()) != null) {
            if (ToolstackApi.EVENT.matches(m)) {
                apply(ToolstackApi.EVENT.decode(m));
            }
        }
    }

    private void reconcile(List<VmStatus> snapshot) {
        Set<UUID> running = new HashSet<>();
        for (VmStatus vm : snapshot) {
            VmDefinition def = vm.definition();
            if (vm.state() != VmState.RUNNING || def == null || def.id() == null || def.slot() == null) {
                continue;
            }
            running.add(def.id());
            started(def.slot(), def.id(), def.name(), vm.sockets(), def.monitor());
        }
        for (Map.Entry<UUID, Integer> known : focus.vms().entrySet()) {
            if (!running.contains(known.getKey())) {
                focus.vmStopped(known.getKey());
            }
        }
    }

    private void apply(LifecycleEvent e) {
        switch (e.type()) {
            case RUNNING -> {
                if (e.slot() != null) {
                    started(e.slot(), e.vm(), e.name(), e.sockets(), e.monitor());
                }
            }
            case STOPPED, CRASHED, SUSPENDED, DELETED -> focus.vmStopped(e.vm());
            default -> {
                // created, changed: nothing to route; starting, paused, stopping: the VM's QEMU is as it was
            }
        }
    }

    private void started(int slot, UUID vm, String name, VmSockets sockets, String monitor) {
        boolean qmp = sockets != null && sockets.qmp() != null;
        if (!qmp) {
            LOG.warning("VM " + name + " runs without a QMP socket; its input cannot be delivered");
        }
        focus.vmStarted(slot, vm, name, qmp ? sinks.apply(sockets) : null, monitor);
    }

    @Override
    public void close() {
        follower.close();
    }
}
