package org.polydesk.input.focus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Logger;
import org.polydesk.input.sink.InputSink;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.Methods;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;

/**
 * Keeps the focus authority's slots in step with polydeskd: subscribes to lifecycle events, then
 * lists the VMs (so none that started before is missed), and follows started / stopped / crashed /
 * deleted. When polydeskd goes away it retries every second and lists again on reconnecting.
 */
public final class LifecycleFollower implements Closeable {
    private static final Logger LOG = Logger.getLogger(LifecycleFollower.class.getName());
    private final Path daemonSocket;
    private final FocusAuthority focus;
    private final Function<Path, InputSink> sinks;
    private final Thread thread;
    private volatile boolean closed;
    private volatile RpcClient client;

    /** @param sinks makes the sink of a VM from its QMP socket */
    public LifecycleFollower(Path daemonSocket, FocusAuthority focus, Function<Path, InputSink> sinks) {
        this.daemonSocket = daemonSocket;
        this.focus = focus;
        this.sinks = sinks;
        this.thread = new Thread(this::run, "lifecycle");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        boolean warned = false;
        while (!closed) {
            try (RpcClient c = RpcClient.connect(daemonSocket)) {
                client = c;
                c.call(Methods.EVENTS_SUBSCRIBE, null);
                reconcile(c.call(Methods.VM_LIST, null));
                LOG.info("following polydeskd's lifecycle events on " + daemonSocket);
                warned = false;
                RpcMessage m;
                while ((m = c.nextNotification()) != null) {
                    if (Methods.EVENT.equals(m.method())) {
                        apply(Json.mapper().treeToValue(m.params(), LifecycleEvent.class));
                    }
                }
                if (!closed) {
                    LOG.warning("polydeskd closed the event stream; reconnecting");
                }
            } catch (IOException | RuntimeException e) {
                if (!warned && !closed) {
                    LOG.warning("cannot follow polydeskd on " + daemonSocket + " (" + e.getMessage()
                            + "); retrying every second, VMs keep their slots meanwhile");
                    warned = true;
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void reconcile(JsonNode list) {
        Set<UUID> running = new HashSet<>();
        for (JsonNode vm : list) {
            JsonNode def = vm.path("definition");
            String qmp = vm.path("sockets").path("qmp").asText(null);
            if (!"running".equals(vm.path("state").asText()) || !def.has("id") || !def.path("slot").isInt()) {
                continue;
            }
            UUID id = UUID.fromString(def.get("id").asText());
            running.add(id);
            started(def.get("slot").asInt(), id, def.path("name").asText(), qmp);
        }
        for (Map.Entry<UUID, Integer> known : focus.vms().entrySet()) {
            if (!running.contains(known.getKey())) {
                focus.vmStopped(known.getKey());
            }
        }
    }

    private void apply(LifecycleEvent e) {
        switch (e.type()) {
            case STARTED -> {
                if (e.slot() != null) {
                    started(e.slot(), e.vm(), e.name(), e.sockets() == null ? null : e.sockets().qmp());
                }
            }
            case STOPPED, CRASHED, DELETED -> focus.vmStopped(e.vm());
            default -> {
                // created, changed: not running, nothing to route
            }
        }
    }

    private void started(int slot, UUID vm, String name, String qmp) {
        if (qmp == null) {
            LOG.warning("VM " + name + " runs without a QMP socket; its input cannot be delivered");
        }
        focus.vmStarted(slot, vm, name, qmp == null ? null : sinks.apply(Path.of(qmp)));
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        RpcClient c = client;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
