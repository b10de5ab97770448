package org.polydesk.display.bus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcFollower;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;

/**
 * Keeps the display server's slots in step with polydeskd, followed with protocol's
 * {@link RpcFollower}: subscribes to lifecycle events, whose answer is every VM's state, so every
 * running VM has a live source on its {@code vnc.sock} and every stopped one says so. After
 * polydeskd restarts the snapshot is read again. A running VM with a viewer
 * channel owns a GPU: {@link Passthrough} hears of it, and, holding dom0's screen, of the boot GPU
 * leaving dom0 and coming back (console.hold).
 */
public final class ToolstackFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ToolstackFollower.class.getName());
    private final RpcFollower follower;
    private final DisplayServer display;
    /** The slot each VM was last shown in, to empty it when the VM moves or goes. */
    private final Map<UUID, Integer> slots = new HashMap<>();
    private final Passthrough passthrough;
    /** The slot of each running passthrough VM passthrough was told of. */
    private final Map<UUID, Integer> passthroughSlots = new HashMap<>();

    public ToolstackFollower(Path socket, Backoff backoff, DisplayServer display) {
        this(socket, backoff, display, null);
    }

    /** {@code passthrough} (or null) follows the VMs that own a GPU. */
    public ToolstackFollower(Path socket, Backoff backoff, DisplayServer display, Passthrough passthrough) {
        this.display = display;
        this.passthrough = passthrough;
        this.follower = new RpcFollower("polydeskd", socket, backoff, this::session, null);
    }

    public ToolstackFollower start() {
        follower.start();
        return this;
    }

    private void session(RpcClient client) throws IOException {
        List<VmStatus> snapshot = client.call(ToolstackApi.EVENTS_SUBSCRIBE);
        if (passthrough != null) {
            client.call(ToolstackApi.CONSOLE_HOLD);
        }
        Map<UUID, Integer> before = new HashMap<>(slots);
        for (VmStatus status : snapshot) {
            before.remove(status.definition().id());
            apply(status, null);
        }
        before.forEach((id, slot) -> forget(id));
        RpcMessage m;
        while ((m = client.nextNotification()) != null) {
            if (ToolstackApi.CONSOLE_RELEASE.matches(m)) {
                ToolstackApi.ConsoleChange change = ToolstackApi.CONSOLE_RELEASE.decode(m);
                LOG.info(() -> "the boot GPU " + change.gpu() + " leaves dom0 for " + change.vm());
                passthrough.consoleLeaving(change.gpu());
                client.call(ToolstackApi.CONSOLE_RELEASED, change);
                continue;
            }
            if (ToolstackApi.CONSOLE_RETURNED.matches(m)) {
                passthrough.consoleBack(ToolstackApi.CONSOLE_RETURNED.decode(m).gpu());
                continue;
            }
            if (!ToolstackApi.EVENT.matches(m)) {
                continue;
            }
            LifecycleEvent e = ToolstackApi.EVENT.decode(m);
            if (e.vm() == null) {
                continue;
            }
            switch (e.type()) {
                case DELETED -> forget(e.vm());
                case STOPPED -> show(client, e.vm(), "the VM is stopped");
                case CRASHED -> show(client, e.vm(), "the VM crashed" + (e.detail() == null ? "" : ": " + e.detail()));
                case STARTING, STOPPING, PAUSED -> {
                    // on the way, or frozen: its screen (or none) stays as it is until it settles
                }
                default -> show(client, e.vm(), null);
            }
        }
    }

    private void show(RpcClient client, UUID vm, String reason) throws IOException {
        VmStatus status;
        try {
            status = client.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(vm.toString()));
        } catch (RpcClient.CallException e) {
            forget(vm);
            return;
        }
        apply(status, reason);
    }

    private void apply(VmStatus status, String reason) {
        VmDefinition def = status.definition();
        if (def.slot() == null || def.slot() < 1 || def.slot() > FocusBus.MAX_SLOT) {
            return;
        }
        Integer old = slots.put(def.id(), def.slot());
        if (old != null && !old.equals(def.slot())) {
            display.vmRemoved(old);
        }
        VmLabel label = new VmLabel(def.slot(), def.name(), VmLabel.parseColour(def.colour()));
        // A stopping VM's QEMU still serves its screen until it ends.
        boolean running = status.state() == VmState.RUNNING || status.state() == VmState.PAUSED
                || status.state() == VmState.STOPPING;
        if (running && status.sockets() != null && status.sockets().vnc() != null) {
            display.vmStarted(label, RfbEndpoint.unix(Path.of(status.sockets().vnc())));
        } else {
            display.vmStopped(label, reason != null ? reason : "the VM is " + status.state().wireName());
        }
        boolean ownsGpu = running && status.sockets() != null && status.sockets().viewer() != null;
        Integer told = passthroughSlots.get(def.id());
        if (told != null && (!ownsGpu || !told.equals(def.slot()))) {
            passthroughGone(def.id());
        }
        if (ownsGpu && passthrough != null && !def.slot().equals(passthroughSlots.get(def.id()))) {
            passthroughSlots.put(def.id(), def.slot());
            String region = status.sockets().viewerRegion();
            passthrough.passthroughStarted(new PassthroughVm(def.slot(), Path.of(status.sockets().viewer()),
                    status.domid(), region == null ? null : Path.of(region), def.gpu()));
        }
    }

    private void passthroughGone(UUID vm) {
        Integer slot = passthroughSlots.remove(vm);
        if (slot != null) {
            passthrough.passthroughStopped(slot);
        }
    }

    private void forget(UUID vm) {
        passthroughGone(vm);
        Integer slot = slots.remove(vm);
        if (slot != null) {
            display.vmRemoved(slot);
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
