package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.backend.HypervisorBackend.ExitReason;
import org.polydesk.toolstack.backend.RunningVm;
import org.polydesk.toolstack.definition.DefinitionValidator;
import org.polydesk.toolstack.definition.InvalidDefinitionException;
import org.polydesk.toolstack.definition.VmStore;
import org.polydesk.toolstack.gpu.GpuPassthrough;
import org.polydesk.toolstack.gpu.Handover;
import org.polydesk.toolstack.gpu.HandoverStore;
import org.polydesk.toolstack.gpu.Sysfs;
import org.polydesk.toolstack.gpu.SysfsPci;

/**
 * The authority on VM definitions and VM state. Definitions change only through here, are stored
 * before they are acknowledged, and every change of state is published as a lifecycle event.
 * Backend calls that take long (start, stop) run outside the lock, guarded by the VM's state.
 */
public final class VmManager {
    private static final Logger LOG = Logger.getLogger(VmManager.class.getName());

    private final VmStore store;
    private final EventBus events;
    private final HypervisorBackend backend;
    private final HandoverStore handovers;
    private final GpuPassthrough gpus;
    private final Map<UUID, VmDefinition> definitions = new LinkedHashMap<>();
    private final Map<UUID, LiveState> live = new HashMap<>();
    private final List<VmStore.Problem> storeProblems = new ArrayList<>();

    /** What the manager knows of a VM beyond its definition. */
    private record LiveState(VmState state, Long pid, Integer domid, VmSockets sockets, String detail) {
        static final LiveState STOPPED = new LiveState(VmState.STOPPED, null, null, null, null);

        static LiveState of(VmState state, String detail) {
            return new LiveState(state, null, null, null, detail);
        }

        static LiveState running(RunningVm vm, String detail) {
            return new LiveState(VmState.RUNNING, vm.pid(), vm.domid(), vm.sockets(), detail);
        }
    }

    /** Makes the backend, given the listener it must tell of every VM that ends. */
    public interface BackendFactory {
        HypervisorBackend create(HypervisorBackend.ExitListener listener) throws Exception;
    }

    /**
     * {@code sys}: where the host's devices are; {@code handovers}: the records of GPUs away from
     * dom0; {@code consoleUsers}: who lets go of dom0's screen before the boot GPU leaves.
     */
    public VmManager(VmStore store, EventBus events, BackendFactory backends, Sysfs sys, SysfsPci pci,
                     HandoverStore handovers, org.polydesk.toolstack.gpu.ConsoleUsers consoleUsers) throws Exception {
        this.store = store;
        this.events = events;
        this.backend = backends.create(this::onExit);
        this.handovers = handovers;
        this.gpus = new GpuPassthrough(sys, pci, handovers, GpuPassthrough.Target.of(backend.passthroughDriver()),
                backend::releasePci, consoleUsers);
    }

    /** Reads the stored definitions and takes back the VMs that still run from an earlier daemon. */
    public synchronized void load() throws IOException {
        VmStore.Contents contents = store.load();
        storeProblems.clear();
        storeProblems.addAll(contents.problems());
        for (VmStore.Problem p : contents.problems()) {
            LOG.warning("definition store: " + p);
        }
        for (VmDefinition def : contents.definitions()) {
            definitions.put(def.id(), def);
        }
        Map<UUID, List<String>> gpuFunctions = new HashMap<>();
        for (Handover h : handovers.all()) {
            gpuFunctions.put(h.vm(), h.addresses());
        }
        for (RunningVm vm : backend.recover(definitions.values(), gpuFunctions)) {
            live.put(vm.id(), LiveState.running(vm, "taken back after a daemon restart"));
            LOG.info("'" + definitions.get(vm.id()).name() + "' is still running");
        }
        gpus.recover(live.keySet().stream().filter(id -> live.get(id).state().isActive()).toList());
    }

    /** Starts the VMs marked autostart that are not running; one that fails does not stop the others. */
    public void autostart() {
        List<VmDefinition> wanted;
        synchronized (this) {
            wanted = definitions.values().stream()
                    .filter(VmDefinition::autostart)
                    .filter(d -> !state(d.id()).state().isActive())
                    .toList();
        }
        for (VmDefinition def : wanted) {
            try {
                start(def.id().toString());
            } catch (RpcException e) {
                LOG.warning("autostart of '" + def.name() + "' failed: " + e.getMessage());
            }
        }
    }

    public synchronized List<VmStatus> list() {
        return definitions.values().stream().map(this::status).toList();
    }

    public synchronized List<VmStore.Problem> storeProblems() {
        return List.copyOf(storeProblems);
    }

    public synchronized VmStatus show(String ref) throws RpcException {
        return status(find(ref));
    }

    public synchronized VmStatus create(VmDefinition requested) throws RpcException {
        VmDefinition def = requested.id() == null ? requested.withId(UUID.randomUUID()) : requested;
        if (definitions.containsKey(def.id()) || Files.exists(store.fileOf(def.id()))) {
            throw new RpcException(ErrorCode.INVALID_DEFINITION, "a VM with id " + def.id() + " already exists");
        }
        if (def.slot() == null) {
            def = def.withSlot(freeSlots().stream().findFirst().orElseThrow(() -> new RpcException(
                    ErrorCode.INVALID_DEFINITION, "all slots 1–9 are taken; delete a VM or give it a slot")));
        }
        validate(def);
        save(def);
        definitions.put(def.id(), def);
        live.put(def.id(), LiveState.STOPPED);
        events.publish(LifecycleEvent.Type.CREATED, def.id(), def.name(), def.slot(), null, null);
        return status(def);
    }

    /** Replaces the stored definition with {@code requested}; the id stays, a missing slot keeps the old one. */
    public synchronized VmStatus edit(String ref, VmDefinition requested) throws RpcException {
        VmDefinition old = find(ref);
        if (requested == null) {
            throw RpcException.invalidParam(ToolstackApi.VmEdit.DEFINITION, "definition must be the VM's new definition");
        }
        if (requested.id() != null && !requested.id().equals(old.id())) {
            throw RpcException.invalid(ErrorCode.INVALID_DEFINITION,
                    List.of(new Problem(ToolstackApi.VmEdit.DEFINITION + "." + VmDefinition.ID, "the id of a VM cannot be changed")));
        }
        VmDefinition def = requested.withId(old.id());
        if (def.slot() == null) {
            def = def.withSlot(old.slot());
        }
        validate(def);
        save(def);
        definitions.put(def.id(), def);
        LiveState rt = state(def.id());
        String detail = rt.state().isActive() ? "changes take effect when the VM next starts" : null;
        events.publish(LifecycleEvent.Type.CHANGED, def.id(), def.name(), def.slot(), null, detail);
        return status(def);
    }

    public synchronized void delete(String ref) throws RpcException {
        VmDefinition def = find(ref);
        if (state(def.id()).state().isActive()) {
            throw new RpcException(ErrorCode.WRONG_STATE, "'" + def.name() + "' is " + state(def.id()).state().wireName()
                    + "; stop it before deleting it");
        }
        try {
            store.delete(def.id());
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot delete " + store.fileOf(def.id()) + ": " + e.getMessage());
        }
        definitions.remove(def.id());
        live.remove(def.id());
        events.publish(LifecycleEvent.Type.DELETED, def.id(), def.name(), def.slot(), null, null);
    }

    public VmStatus start(String ref) throws RpcException {
        VmDefinition def;
        synchronized (this) {
            def = find(ref);
            VmState now = state(def.id()).state();
            if (now.isActive()) {
                throw new RpcException(ErrorCode.WRONG_STATE, "'" + def.name() + "' is already " + now.wireName());
            }
            live.put(def.id(), LiveState.of(VmState.STARTING, null));
        }
        Handover gpu = null;
        RunningVm vm;
        try {
            if (def.gpu() != null) {
                gpu = gpus.take(def.id(), DefinitionValidator.normalisePci(def.gpu()));
            }
            vm = backend.start(def, gpu == null ? List.of() : gpu.addresses());
        } catch (IOException | BackendException | RuntimeException e) {
            String why = e instanceof IOException ? "cannot take GPU " + def.gpu() + " from dom0: " + e.getMessage()
                    : e.getMessage();
            if (gpu != null) {
                why += giveBack(def.id());
            }
            synchronized (this) {
                live.put(def.id(), LiveState.of(VmState.STOPPED, "start failed: " + why));
            }
            throw new RpcException(ErrorCode.BACKEND_FAILED, why);
        }
        synchronized (this) {
            live.put(def.id(), LiveState.running(vm, null));
            events.publish(LifecycleEvent.Type.STARTED, def.id(), def.name(), def.slot(), vm.sockets(), null,
                    gpu == null ? null : event(gpu));
            return status(definitions.getOrDefault(def.id(), def));
        }
    }

    public VmStatus stop(String ref, Duration timeout) throws RpcException {
        return end(ref, id -> backend.stop(id, timeout));
    }

    public VmStatus destroy(String ref) throws RpcException {
        return end(ref, backend::destroy);
    }

    private interface Ending {
        void apply(UUID id) throws BackendException;
    }

    /** Marks the VM stopping, asks the backend to end it and returns the state the exit left it in. */
    private VmStatus end(String ref, Ending ending) throws RpcException {
        VmDefinition def;
        LiveState before;
        synchronized (this) {
            def = find(ref);
            before = state(def.id());
            if (before.state() != VmState.RUNNING && before.state() != VmState.STOPPING && before.state() != VmState.PAUSED) {
                throw new RpcException(ErrorCode.WRONG_STATE, "'" + def.name() + "' is " + before.state().wireName()
                        + ", not running");
            }
            live.put(def.id(), new LiveState(VmState.STOPPING, before.pid(), before.domid(), before.sockets(), null));
        }
        try {
            ending.apply(def.id());
        } catch (BackendException e) {
            synchronized (this) {
                // The VM did not end (or ended on its own meanwhile, which the exit listener recorded).
                if (state(def.id()).state() == VmState.STOPPING) {
                    live.put(def.id(), before);
                }
            }
            throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
        return show(def.id().toString());
    }

    /** The VM's GPU goes back to dom0 before anyone hears the VM has ended, so a restart finds it free. */
    private void onExit(UUID id, ExitReason reason, String detail) {
        Handover gpu = handover(id);
        String failure = gpu == null ? "" : giveBack(id);
        synchronized (this) {
            VmDefinition def = definitions.get(id);
            VmState state = reason == ExitReason.CRASHED ? VmState.CRASHED : VmState.STOPPED;
            String why = detail == null ? (failure.isEmpty() ? null : failure.substring(2)) : detail + failure;
            live.put(id, LiveState.of(state, why));
            if (def != null) {
                events.publish(state == VmState.CRASHED ? LifecycleEvent.Type.CRASHED : LifecycleEvent.Type.STOPPED,
                        id, def.name(), def.slot(), null, why,
                        gpu == null || !failure.isEmpty() ? null : event(gpu));
            }
        }
    }

    private Handover handover(UUID id) {
        try {
            return handovers.all().stream().filter(h -> h.vm().equals(id)).findFirst().orElse(null);
        } catch (IOException e) {
            LOG.severe("cannot read the GPU hand-over records: " + e.getMessage());
            return null;
        }
    }

    /** Gives the VM's GPU back; "" when done, else a sentence for the VM's detail (the record stays for the next try). */
    private String giveBack(UUID id) {
        try {
            gpus.giveBack(id);
            return "";
        } catch (IOException e) {
            LOG.severe(e.getMessage());
            return "; " + e.getMessage();
        }
    }

    private static LifecycleEvent.Gpu event(Handover h) {
        return new LifecycleEvent.Gpu(h.gpu(), h.addresses(), h.console());
    }

    /** {@code powerControl}: whether this polydeskd may shut the machine down (host.shutdown, host.reboot). */
    public synchronized HostInfo hostInfo(boolean powerControl) {
        long running = live.values().stream().filter(r -> r.state().isActive()).count();
        String hostname;
        try {
            hostname = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            hostname = "unknown";
        }
        return new HostInfo(hostname, backend.name(), backend.version(),
                Runtime.getRuntime().availableProcessors(), HostFacts.memoryTotalMib(), backend.accelerator(),
                definitions.size(), (int) running, freeSlots(), store.directory().toString(),
                HostFacts.polydeskVersion(), HostFacts.kernel(), HostFacts.uptimeSeconds(), HostFacts.memoryAvailableMib(),
                powerControl);
    }

    public String accelerator() {
        return backend.accelerator();
    }

    /** Leaves the VMs running: a restarted daemon takes them back. */
    public void close() {
        backend.close();
    }

    private List<Integer> freeSlots() {
        List<Integer> free = new ArrayList<>();
        for (int s = DefinitionValidator.MIN_SLOT; s <= DefinitionValidator.MAX_SLOT; s++) {
            int slot = s;
            if (definitions.values().stream().noneMatch(d -> d.slot() != null && d.slot() == slot)) {
                free.add(s);
            }
        }
        return free;
    }

    private void validate(VmDefinition def) throws RpcException {
        try {
            DefinitionValidator.validate(def, definitions.values());
        } catch (InvalidDefinitionException e) {
            throw RpcException.invalid(ErrorCode.INVALID_DEFINITION, e.problemsIn(ToolstackApi.VmCreate.DEFINITION));
        }
    }

    private void save(VmDefinition def) throws RpcException {
        try {
            store.save(def);
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot write " + store.fileOf(def.id()) + ": " + e.getMessage());
        }
    }

    /** A VM by id, else by name (unique regardless of case), else by slot number. */
    private VmDefinition find(String ref) throws RpcException {
        if (ref == null || ref.isBlank()) {
            throw new RpcException(ErrorCode.INVALID_PARAMS, "name the VM by id, name or slot");
        }
        try {
            VmDefinition byId = definitions.get(UUID.fromString(ref));
            if (byId != null) {
                return byId;
            }
        } catch (IllegalArgumentException notAUuid) {
            // fall through to names and slots
        }
        return definitions.values().stream().filter(d -> d.name().equalsIgnoreCase(ref)).findFirst()
                .or(() -> definitions.values().stream().filter(d -> ref.equals(String.valueOf(d.slot()))).findFirst())
                .orElseThrow(() -> new RpcException(ErrorCode.NOT_FOUND, "no VM is called '" + ref + "'"));
    }

    private LiveState state(UUID id) {
        return live.getOrDefault(id, LiveState.STOPPED);
    }

    private VmStatus status(VmDefinition def) {
        LiveState rt = state(def.id());
        return new VmStatus(def, rt.state(), rt.pid(), rt.domid(), rt.sockets(), rt.detail());
    }
}
