package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.polydesk.protocol.network.NetworkEvent;
import org.polydesk.protocol.vm.CrashAction;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.PciAddress;
import org.polydesk.toolstack.definition.RunningRecords;
import org.polydesk.toolstack.definition.SuspendImages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.polydesk.toolstack.network.NetworkException;
import org.polydesk.toolstack.network.Networks;
import org.polydesk.toolstack.gpu.GpuPassthrough;
import org.polydesk.toolstack.gpu.Handover;
import org.polydesk.toolstack.gpu.HandoverStore;
import org.polydesk.toolstack.gpu.Sysfs;
import org.polydesk.toolstack.gpu.SysfsPci;

/**
 * The authority on VM definitions and VM state. Definitions change only through here, are stored
 * before they are acknowledged, and every change of state is published as a lifecycle event.
 * Backend calls that take long run outside the lock, guarded by the VM's state: start answers when
 * the VM runs; stop, reboot and suspend answer at once (stopping) and finish on a worker, their
 * outcome told by the event that follows.
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
    /** The definition each running VM was started with: an edit waits for the next start, its drives and saved state do not. */
    private final Map<UUID, VmDefinition> runningAs = new HashMap<>();
    /** The definitions as last changed, for readers that must not take this manager's lock (the networks). */
    private volatile List<VmDefinition> snapshot = List.of();
    /** polydeskd's networks; null where none are served (tests of other parts). */
    private Networks networks;
    /** The medium in each CD drive (by disk index; null: empty) that a live change gave a running VM. */
    private final Map<UUID, Map<Integer, String>> cdChanges = new HashMap<>();
    /** Each VM's lock for the changes that call the backend outside this manager's lock (pause, resume, CD). */
    private final Map<UUID, Object> changeLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<VmStore.Problem> storeProblems = new ArrayList<>();
    private final SuspendImages suspendImages;
    private final RunningRecords runningRecords;
    private final CrashLoop crashLoop = new CrashLoop();
    /** Autostart VMs that could not start because a network of theirs was down: started when it is up. */
    private final Set<UUID> waitingForNetwork = new LinkedHashSet<>();
    private Runnable networkSubscription;
    /** Why no VM may start now (the machine is going down), or null. */
    private volatile String startsRefused;
    /** Runs the long actions (stop, reboot, suspend, restarts after crashes) after their call is answered. */
    private final ExecutorService worker = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vm-lifecycle");
        t.setDaemon(true);
        return t;
    });

    /** What the manager knows of a VM beyond its definition. */
    private record LiveState(VmState state, Long pid, Integer domid, VmSockets sockets, String detail) {
        static final LiveState STOPPED = new LiveState(VmState.STOPPED, null, null, null, null);

        static LiveState of(VmState state, String detail) {
            return new LiveState(state, null, null, null, detail);
        }

        static LiveState running(RunningVm vm, String detail) {
            return new LiveState(vm.paused() ? VmState.PAUSED : VmState.RUNNING, vm.pid(), vm.domid(), vm.sockets(), detail);
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
        this.suspendImages = new SuspendImages(store.directory().toAbsolutePath().resolveSibling("suspend"));
        this.runningRecords = new RunningRecords(store.directory().toAbsolutePath().resolveSibling("running"));
        this.events = events;
        this.backend = backends.create(new HypervisorBackend.ExitListener() {
            @Override
            public void exited(UUID id, ExitReason reason, String detail) {
                onExit(id, reason, detail);
            }

            @Override
            public void remade(UUID id, RunningVm now) {
                onRemade(id, now);
            }
        });
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
        snapshot = List.copyOf(definitions.values());
        Map<UUID, List<String>> gpuFunctions = new HashMap<>();
        for (Handover h : handovers.all()) {
            gpuFunctions.put(h.vm(), h.addresses());
        }
        // A VM that runs on is taken back as what it runs as: the definition it was started with, its
        // CD drives as they are now (the backend makes a Xen guest's next domain from that).
        Map<UUID, RunningRecords.Running> records = new HashMap<>();
        List<VmDefinition> runningNow = new ArrayList<>();
        for (VmDefinition def : definitions.values()) {
            RunningRecords.Running r = runningRecords.read(def.id());
            if (r != null) {
                records.put(def.id(), r);
            }
            runningNow.add(r == null ? def : r.withLiveMedia());
        }
        for (RunningVm vm : backend.recover(runningNow, gpuFunctions)) {
            live.put(vm.id(), LiveState.running(vm, "taken back after a daemon restart"));
            RunningRecords.Running r = records.get(vm.id());
            runningAs.put(vm.id(), r == null ? definitions.get(vm.id()) : r.definition());
            if (r != null && !r.cdChanges().isEmpty()) {
                cdChanges.put(vm.id(), new HashMap<>(r.cdChanges()));
            }
            setAsideSavedState(vm.id(), "it was still running when polydeskd started");
            LOG.info("'" + definitions.get(vm.id()).name() + "' is still " + (vm.paused() ? "there, paused" : "running"));
        }
        runningRecords.keepOnly(runningAs.keySet());
        if (networks != null) {
            networks.reclaim(List.copyOf(runningAs.values()), !backend.makesNicInterfaces());
        }
        gpus.recover(live.keySet().stream().filter(id -> live.get(id).state().isActive()).toList());
        for (VmDefinition def : definitions.values()) {
            if (!live.containsKey(def.id()) && suspendImages.suspended(def.id())) {
                live.put(def.id(), LiveState.of(VmState.SUSPENDED, "its state is saved in " + suspendImages.imageOf(def.id())));
            }
        }
    }

    /**
     * Starts the VMs marked autostart that are not running; one that fails does not stop the others.
     * One that failed because a network of its was down (a slow boot's nft, a missing uplink) is
     * started when that network comes up, as polydeskd tries it again.
     */
    public void autostart() {
        List<VmDefinition> wanted;
        synchronized (this) {
            wanted = definitions.values().stream()
                    .filter(VmDefinition::autostart)
                    .filter(d -> !state(d.id()).state().isActive())
                    .toList();
            if (networks != null && networkSubscription == null) {
                networkSubscription = networks.events().subscribe(e -> {
                    if (e.type() == NetworkEvent.Type.ACTIVE) {
                        worker.execute(this::startWaitingForNetwork);
                    }
                });
            }
        }
        wanted.forEach(this::autostartOne);
    }

    private void autostartOne(VmDefinition def) {
        List<String> downBefore = downFor(def);
        try {
            start(def.id().toString());
        } catch (RpcException e) {
            Set<String> down = new LinkedHashSet<>(downBefore);
            down.addAll(downFor(def));
            if (!down.isEmpty()) {
                synchronized (this) {
                    if (definitions.containsKey(def.id())) {
                        waitingForNetwork.add(def.id());
                    }
                }
                // The network may have come up, and its event gone by, before the VM waited for it.
                if (downFor(def).isEmpty()) {
                    worker.execute(this::startWaitingForNetwork);
                }
            }
            LOG.warning("autostart of '" + def.name() + "' failed: " + e.getMessage()
                    + (down.isEmpty() ? "" : "; it starts when network " + String.join(", ", down) + " is up"));
        }
    }

    private List<String> downFor(VmDefinition def) {
        return networks == null ? List.of() : networks.downFor(def);
    }

    /** Starts the waiting autostart VMs whose networks are all up now (each taken once, so never twice). */
    private void startWaitingForNetwork() {
        List<VmDefinition> ready = new ArrayList<>();
        synchronized (this) {
            for (var it = waitingForNetwork.iterator(); it.hasNext(); ) {
                VmDefinition def = definitions.get(it.next());
                if (def == null || !def.autostart() || state(def.id()).state().isActive()) {
                    it.remove();
                } else if (downFor(def).isEmpty()) {
                    it.remove();
                    ready.add(def);
                }
            }
        }
        ready.forEach(def -> {
            LOG.info("autostart of '" + def.name() + "': its networks are up");
            autostartOne(def);
        });
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
        def = withMacs(def, null);
        validate(def);
        save(def);
        definitions.put(def.id(), def);
        snapshot = List.copyOf(definitions.values());
        live.put(def.id(), LiveState.STOPPED);
        events.publish(LifecycleEvent.Type.CREATED, def.id(), def.name(), def.slot(), null, null, null, VmState.STOPPED);
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
        def = withMacs(def, old);
        validate(def);
        save(def);
        definitions.put(def.id(), def);
        snapshot = List.copyOf(definitions.values());
        LiveState rt = state(def.id());
        String detail = rt.state().isActive() ? "changes take effect when the VM next starts"
                : rt.state() == VmState.SUSPENDED && !SuspendImages.hardwareHash(old).equals(SuspendImages.hardwareHash(def))
                ? "its saved state was made with the old hardware settings: undo the change to resume it" : null;
        events.publish(LifecycleEvent.Type.CHANGED, def.id(), def.name(), def.slot(), null, detail, null, rt.state());
        return status(def);
    }

    public synchronized void delete(String ref) throws RpcException {
        VmDefinition def = find(ref);
        if (state(def.id()).state().isActive()) {
            throw new RpcException(ErrorCode.WRONG_STATE, "'" + def.name() + "' is " + state(def.id()).state().wireName()
                    + "; stop it before deleting it");
        }
        if (state(def.id()).state() == VmState.SUSPENDED) {
            throw new RpcException(ErrorCode.WRONG_STATE, "'" + def.name() + "' is suspended; start and stop it, or move"
                    + " its saved state " + suspendImages.imageOf(def.id()) + " away, before deleting it");
        }
        try {
            store.delete(def.id());
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot delete " + store.fileOf(def.id()) + ": " + e.getMessage());
        }
        definitions.remove(def.id());
        snapshot = List.copyOf(definitions.values());
        live.remove(def.id());
        changeLocks.remove(def.id()); // a change still holding it finds the VM gone
        events.publish(LifecycleEvent.Type.DELETED, def.id(), def.name(), def.slot(), null, null, null, null);
    }

    /**
     * Starts a stopped or crashed VM, or resumes a suspended one from its saved state; returns once
     * it runs. A saved state that cannot be resumed is refused and kept, the VM stays suspended.
     */
    public VmStatus start(String ref) throws RpcException {
        VmDefinition def;
        boolean resume;
        synchronized (this) {
            def = find(ref);
            String refused = startsRefused;
            if (refused != null) {
                throw new RpcException(ErrorCode.WRONG_STATE, refused + "; '" + def.name() + "' may not start now");
            }
            VmState now = state(def.id()).state();
            if (now.isActive()) {
                throw new RpcException(ErrorCode.WRONG_STATE, "'" + def.name() + "' is already " + now.wireName());
            }
            waitingForNetwork.remove(def.id()); // started by hand or by autostart: it waits no more
            resume = now == VmState.SUSPENDED;
            if (!resume) {
                setAsideSavedState(def.id(), "it starts afresh");
            }
            enter(def, LiveState.of(VmState.STARTING, resume ? "resuming from its saved state" : null));
        }
        Handover gpu = null;
        RunningVm vm;
        try {
            if (def.gpu() != null) {
                gpu = gpus.take(def.id(), PciAddress.canonical(def.gpu()));
            }
            List<String> functions = gpu == null ? List.of() : gpu.addresses();
            plug(def);
            if (resume) {
                Path image;
                try {
                    image = suspendImages.check(def, backend.name());
                } catch (SuspendImages.Refused refused) {
                    throw new BackendException(refused.getMessage());
                }
                vm = backend.restore(def, functions, image);
            } else {
                vm = backend.start(def, functions);
            }
        } catch (IOException | BackendException | RuntimeException e) {
            String why = e instanceof IOException ? "cannot take GPU " + def.gpu() + " from dom0: " + e.getMessage()
                    : e.getMessage();
            if (networks != null) {
                networks.unplug(def);
            }
            if (gpu != null) {
                why += giveBack(def.id());
            }
            synchronized (this) {
                enter(def, resume ? LiveState.of(VmState.SUSPENDED, "resume failed: " + why)
                        : LiveState.of(VmState.STOPPED, "start failed: " + why));
            }
            throw new RpcException(ErrorCode.BACKEND_FAILED, why);
        }
        String detail = null;
        if (resume) {
            detail = "resumed from its saved state";
            try {
                suspendImages.remove(def.id());
            } catch (IOException e) {
                // It runs; a leftover image would only make it look suspended again after a daemon restart.
                detail += "; cannot remove the saved state: " + e.getMessage();
                LOG.warning(detail);
            }
        }
        pullCables(def);
        synchronized (this) {
            VmDefinition current = definitions.getOrDefault(def.id(), def);
            live.put(def.id(), LiveState.running(vm, detail));
            runningAs.put(def.id(), def);
            cdChanges.remove(def.id());
            keepRecord(def.id());
            events.publish(LifecycleEvent.Type.RUNNING, def.id(), current.name(), current.slot(), vm.sockets(), detail,
                    gpu == null ? null : event(gpu), VmState.RUNNING, current.monitor());
            return status(current);
        }
    }

    /** Tells a started guest that its offline NICs have no cable (dom0 already passes nothing for them). */
    private void pullCables(VmDefinition def) {
        for (int i = 0; i < def.nics().size(); i++) {
            if (def.nics().get(i).network() != null && !def.nics().get(i).onlineOrDefault()) {
                try {
                    backend.setNicLink(def.id(), i, false);
                } catch (BackendException e) {
                    LOG.info("'" + def.name() + "': " + e.getMessage());
                }
            }
        }
    }

    /**
     * Asks the guest to power off, forced after {@code timeout}. Answers at once (stopping); the exit
     * listener publishes stopped, a failure publishes the state the VM stayed in.
     */
    public VmStatus stop(String ref, Duration timeout) throws RpcException {
        return inBackground(ref, "stop", "power-down requested; forced off after " + timeout.toSeconds() + " s", def -> { },
                (def, before) -> {
                    backend.stop(def.id(), timeout);
                    return null;
                });
    }

    /** Asks the guest to restart, reset after {@code timeout}. Answers at once (stopping); running follows. */
    public VmStatus reboot(String ref, Duration timeout) throws RpcException {
        return inBackground(ref, "reboot", "rebooting; reset after " + timeout.toSeconds() + " s", def -> { },
                (def, before) -> backend.reboot(def.id(), timeout));
    }

    /** Saves the VM's state to disk and ends it. Answers at once (stopping); suspended follows. */
    public VmStatus suspend(String ref) throws RpcException {
        Check savable = def -> {
            if (def.gpu() != null || !def.pciDevices().isEmpty()) {
                throw new RpcException(ErrorCode.BACKEND_FAILED, "'" + def.name() + "' has passed-through PCI devices,"
                        + " whose state cannot be saved; stop it instead");
            }
            if (cdChangedLive(def)) {
                // The resumed VM gets its definition's drives: a medium changed live would be a different disc.
                throw new RpcException(ErrorCode.WRONG_STATE, "'" + def.name() + "' has a CD changed while it runs,"
                        + " which a resume would not give back; put its own medium back or stop it instead");
            }
        };
        return inBackground(ref, "suspend", "saving its state to disk", savable, (def, before) -> {
            Path image;
            try {
                image = suspendImages.temporaryImage(def.id());
            } catch (IOException e) {
                throw new BackendException("cannot prepare the saved state: " + e.getMessage(), e);
            }
            try {
                backend.saveState(def.id(), image);
                suspendImages.commit(def, backend.name());
            } catch (IOException | BackendException | RuntimeException e) {
                try {
                    Files.deleteIfExists(image); // gigabytes that nothing will read
                } catch (IOException ignored) {
                    LOG.warning("cannot delete " + image + ": " + ignored.getMessage());
                }
                if (e instanceof BackendException be) {
                    throw be;
                }
                throw new BackendException("cannot store the saved state " + suspendImages.imageOf(def.id()) + ": "
                        + e.getMessage(), e);
            }
            try {
                backend.endSaved(def.id());
            } catch (BackendException | RuntimeException e) {
                // It runs on: the state just saved must never be resumed over what it does next.
                setAsideSavedState(def.id(), "it ran on after it was saved");
                throw e;
            }
            return null;
        });
    }

    /** What a long action does once the VM is marked stopping; its answer is the detail of the running VM after it. */
    private interface LongAction {
        String run(VmDefinition def, LiveState before) throws BackendException;
    }

    /**
     * Marks a running or paused VM stopping, runs {@code action} on a worker and answers at once.
     * When the action fails (and the VM did not end meanwhile) the VM goes back to the state it was in,
     * running on if it was running, and an event of that state says why.
     */
    /** What must hold of the VM for a long action to begin, checked as it is marked stopping. */
    private interface Check {
        void of(VmDefinition def) throws RpcException;
    }

    /**
     * Marks the VM stopping and runs {@code action} on a worker. The mark is made under the VM's change
     * lock: a pause or CD change in progress ends first, and those that come later find it stopping.
     */
    private VmStatus inBackground(String ref, String verb, String detail, Check check, LongAction action) throws RpcException {
        VmDefinition def = definitionOf(ref);
        LiveState before;
        VmStatus answer;
        synchronized (changeLock(def.id())) {
            synchronized (this) {
                before = state(def.id());
                if (before.state() != VmState.RUNNING && before.state() != VmState.PAUSED) {
                    throw wrongState(def, before.state(), verb, before.state() == VmState.STOPPING
                            ? "; vm.destroy forces it off" : "; only a running or paused VM can be " + switch (verb) {
                                case "stop" -> "stopped";
                                case "suspend" -> "suspended";
                                default -> verb + "ed";
                            });
                }
                check.of(def);
                enter(def, new LiveState(VmState.STOPPING, before.pid(), before.domid(), before.sockets(), detail));
                // The answer is the state the call put the VM in: a quick action may be over before it is sent.
                answer = status(def);
            }
        }
        worker.execute(() -> {
            String after;
            try {
                after = action.run(runningDefinition(def), before);
            } catch (BackendException | RuntimeException e) {
                LOG.warning(verb + " of '" + def.name() + "' failed: " + e.getMessage());
                String why = verb + " failed: " + e.getMessage();
                if (before.state() == VmState.RUNNING && !"stop".equals(verb)) {
                    try {
                        backend.unpause(def.id()); // a failed save leaves it paused
                    } catch (BackendException | RuntimeException notRunning) {
                        why += " (" + notRunning.getMessage() + ")";
                    }
                }
                backTo(def.id(), new LiveState(before.state(), before.pid(), before.domid(), before.sockets(), why));
                return;
            }
            if (after != null) {
                backTo(def.id(), new LiveState(VmState.RUNNING, before.pid(), before.domid(), before.sockets(), after));
            }
        });
        return answer;
    }

    /** Ends a stopping VM's action in {@code next}, unless the VM ended (or was changed) meanwhile. */
    private synchronized void backTo(UUID id, LiveState next) {
        VmDefinition def = definitions.get(id);
        LiveState now = state(id);
        if (def != null && now.state() == VmState.STOPPING) {
            // A reboot meanwhile made the VM anew (onRemade): it is known by its new ids.
            enter(def, new LiveState(next.state(), now.pid(), now.domid(), next.sockets(), next.detail()));
        }
    }

    /** The backend made the VM anew (a reboot on Xen): the same state, its new domain id and device model. */
    private synchronized void onRemade(UUID id, RunningVm now) {
        LiveState was = live.get(id);
        if (was != null && was.state().isActive()) {
            live.put(id, new LiveState(was.state(), now.pid(), now.domid(), was.sockets(), was.detail()));
        }
    }

    /**
     * Pauses a running VM. The backend is called outside this manager's lock, as for the other
     * changes of a running VM below: on Xen it waits while a rebooting guest's domain is made
     * again (up to minutes), and every other call (a vm list) would wait with it. One VM's changes
     * are serialised by its own lock, always taken before this manager's.
     */
    public VmStatus pause(String ref) throws RpcException {
        VmDefinition def = definitionOf(ref);
        synchronized (changeLock(def.id())) {
            synchronized (this) {
                VmState now = state(def.id()).state();
                if (now != VmState.RUNNING) {
                    throw wrongState(def, now, "pause", "; only a running VM can be paused");
                }
            }
            call(() -> backend.pause(def.id()));
            return afterChange(def, VmState.RUNNING, VmState.PAUSED);
        }
    }

    public VmStatus resume(String ref) throws RpcException {
        VmDefinition def = definitionOf(ref);
        synchronized (changeLock(def.id())) {
            synchronized (this) {
                VmState now = state(def.id()).state();
                if (now != VmState.PAUSED) {
                    throw wrongState(def, now, "resume", now == VmState.SUSPENDED
                            ? "; vm.start resumes a suspended VM from its saved state" : "; only a paused VM can be resumed");
                }
            }
            call(() -> backend.unpause(def.id()));
            return afterChange(def, VmState.PAUSED, VmState.RUNNING);
        }
    }

    private synchronized VmDefinition definitionOf(String ref) throws RpcException {
        return find(ref);
    }

    private Object changeLock(UUID id) {
        return changeLocks.computeIfAbsent(id, k -> new Object());
    }

    /**
     * The VM is in state {@code to} now that the backend did it, unless it left {@code from}
     * meanwhile (a stop or a crash came first: that state stands); its domain may be a new one.
     */
    private synchronized VmStatus afterChange(VmDefinition def, VmState from, VmState to) {
        LiveState now = state(def.id());
        if (now.state() == from) {
            enter(def, new LiveState(to, now.pid(), now.domid(), now.sockets(), null));
        }
        return status(def);
    }

    /** Gives a host USB device to a running VM (outside this manager's lock: the backend's QMP may take seconds). */
    public void usbAttach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        backend.usbAttach(id, device);
    }

    public void usbDetach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        backend.usbDetach(id, device);
    }

    public List<HypervisorBackend.UsbAddress> usbHeld(UUID id) throws BackendException {
        return backend.usbHeld(id);
    }

    /** Puts {@code medium} in the running VM's CD drive {@code drive} (its vdev; null: its first CD drive). */
    public VmStatus insertCd(String ref, String drive, Path medium) throws RpcException {
        VmDefinition def = definitionOf(ref);
        synchronized (changeLock(def.id())) {
            int disk;
            synchronized (this) {
                disk = cdDrive(def, drive, "insert a CD into");
            }
            if (!Files.isReadable(medium) || Files.isDirectory(medium)) {
                throw RpcException.invalidParam(ToolstackApi.VmCdInsert.PATH, medium + " is not a readable file or device");
            }
            call(() -> backend.insertCd(def.id(), disk, medium));
            return afterCdChange(def, disk, medium.toString(), medium + " inserted");
        }
    }

    public VmStatus ejectCd(String ref, String drive) throws RpcException {
        VmDefinition def = definitionOf(ref);
        synchronized (changeLock(def.id())) {
            int disk;
            synchronized (this) {
                disk = cdDrive(def, drive, "eject the CD of");
                if (mediumIn(def, disk) == null) {
                    throw new RpcException(ErrorCode.WRONG_STATE, "cannot eject the CD of '" + def.name() + "': its drive "
                            + driveName(runningDefinition(def), disk) + " is empty");
                }
            }
            call(() -> backend.ejectCd(def.id(), disk));
            return afterCdChange(def, disk, null, "ejected");
        }
    }

    /** Notes the drive's new medium (null: empty) of a VM that still runs, keeps it, and tells. */
    private synchronized VmStatus afterCdChange(VmDefinition def, int disk, String medium, String what) {
        if (state(def.id()).state().isActive()) {
            cdChanges.computeIfAbsent(def.id(), k -> new HashMap<>()).put(disk, medium);
            keepRecord(def.id());
            events.publish(LifecycleEvent.Type.CHANGED, def.id(), def.name(), def.slot(), null,
                    "CD " + driveName(runningDefinition(def), disk) + ": " + what, null, state(def.id()).state());
        }
        return status(def);
    }

    /** The index among the definition's disks of the CD drive named {@code drive}, in a VM that runs. */
    private int cdDrive(VmDefinition def, String drive, String verb) throws RpcException {
        VmState now = state(def.id()).state();
        if (now != VmState.RUNNING && now != VmState.PAUSED) {
            throw wrongState(def, now, verb, "; only a running or paused VM's drive can be changed");
        }
        List<Disk> disks = runningDefinition(def).disks();
        for (int i = 0; i < disks.size(); i++) {
            Disk d = disks.get(i);
            if (d.cdrom() && (drive == null || drive.equals(d.vdev()))) {
                return i;
            }
        }
        if (drive == null) {
            throw new RpcException(ErrorCode.INVALID_DEFINITION, "'" + def.name() + "' has no CD drive; give it one"
                    + " (a cdrom disk, without a path for an empty drive) and start it again");
        }
        throw RpcException.invalidParam(ToolstackApi.VmCdInsert.DRIVE, "'" + def.name() + "' has no CD drive '" + drive + "'");
    }

    private static String driveName(VmDefinition def, int disk) {
        String vdev = def.disks().get(disk).vdev();
        return vdev != null ? vdev : "#" + (disk + 1);
    }

    private interface BackendCall {
        void run() throws BackendException;
    }

    private static void call(BackendCall c) throws RpcException {
        try {
            c.run();
        } catch (BackendException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
    }

    private static RpcException wrongState(VmDefinition def, VmState state, String verb, String hint) {
        return new RpcException(ErrorCode.WRONG_STATE, "cannot " + verb + " '" + def.name() + "': it is "
                + state.wireName() + hint);
    }

    /** Forces a running, paused or stopping VM off at once; returns when it has ended. */
    public VmStatus destroy(String ref) throws RpcException {
        VmDefinition def;
        LiveState before;
        synchronized (this) {
            def = find(ref);
            before = state(def.id());
            if (before.state() != VmState.RUNNING && before.state() != VmState.STOPPING && before.state() != VmState.PAUSED) {
                throw wrongState(def, before.state(), "force off", "; only a running, paused or stopping VM can be");
            }
            if (before.state() != VmState.STOPPING) {
                enter(def, new LiveState(VmState.STOPPING, before.pid(), before.domid(), before.sockets(), "forcing off"));
            }
        }
        try {
            backend.destroy(def.id());
        } catch (BackendException e) {
            backTo(def.id(), new LiveState(before.state(), before.pid(), before.domid(), before.sockets(),
                    "force off failed: " + e.getMessage()));
            throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
        return show(def.id().toString());
    }

    /**
     * Writes down what the running VM runs as, for a daemon that takes it back after a restart. A
     * write that fails is logged: the VM runs on, and only such a restart would miss the record.
     */
    private void keepRecord(UUID id) {
        VmDefinition ran = runningAs.get(id);
        if (ran == null) {
            return;
        }
        try {
            runningRecords.write(id, new RunningRecords.Running(ran, cdChanges.getOrDefault(id, Map.of())));
        } catch (IOException e) {
            LOG.warning("cannot keep the running record of '" + ran.name() + "': " + e.getMessage());
        }
    }

    /** Whether a running VM's CD drives hold other media than its definition gave them. */
    private boolean cdChangedLive(VmDefinition def) {
        for (int disk : cdChanges.getOrDefault(def.id(), Map.of()).keySet()) {
            if (!java.util.Objects.equals(mediumIn(def, disk), ownMedium(def, disk))) {
                return true;
            }
        }
        return false;
    }

    /** The medium in a running VM's CD drive now (null: empty): a live change, else what it was started with. */
    private String mediumIn(VmDefinition def, int disk) {
        Map<Integer, String> changed = cdChanges.getOrDefault(def.id(), Map.of());
        return changed.containsKey(disk) ? changed.get(disk) : ownMedium(def, disk);
    }

    /** The medium the VM was started with in that drive (null: empty). */
    private String ownMedium(VmDefinition def, int disk) {
        String own = runningDefinition(def).disks().get(disk).path();
        return own == null || own.isBlank() ? null : own;
    }

    /** The definition a running VM was started with; an edit since waits for its next start. */
    private VmDefinition runningDefinition(VmDefinition def) {
        return runningAs.getOrDefault(def.id(), def);
    }

    /** The names of the VMs whose CD drives hold {@code medium}: in their definitions, or put there while they run. */
    public synchronized List<String> cdUsersOf(Path medium) {
        Path wanted = medium.toAbsolutePath().normalize();
        java.util.function.Predicate<String> isIt = p -> p != null && !p.isBlank()
                && Path.of(p).toAbsolutePath().normalize().equals(wanted);
        List<String> users = new ArrayList<>();
        for (VmDefinition def : definitions.values()) {
            boolean holds = false;
            for (VmDefinition d : List.of(def, runningDefinition(def))) {
                for (Disk disk : d.disks()) {
                    holds |= disk.cdrom() && isIt.test(disk.path());
                }
            }
            for (String inserted : cdChanges.getOrDefault(def.id(), Map.of()).values()) {
                holds |= isIt.test(inserted);
            }
            if (holds) {
                users.add(def.name());
            }
        }
        return users;
    }

    /** From now on (why: a sentence) no VM starts, nor restarts after a crash; null allows starts again. */
    public void refuseStarts(String why) {
        startsRefused = why;
    }

    /** A saved state the VM has run on from is never resumed: moved aside (kept), and logged. */
    private void setAsideSavedState(UUID id, String why) {
        try {
            if (suspendImages.setAside(id)) {
                LOG.warning("the saved state of " + id + " is set aside (" + suspendImages.imageOf(id) + ".superseded): " + why);
            }
        } catch (IOException e) {
            LOG.severe("cannot set aside the saved state of " + id + ": " + e.getMessage());
        }
    }

    /**
     * The VM's GPU goes back to dom0 before anyone hears the VM has ended, so a restart finds it free.
     * A crash of a VM that restarts on crashes starts it again, at most {@link CrashLoop#MAX_RESTARTS}
     * times within {@link CrashLoop#WINDOW}; one more crash leaves it stopped.
     */
    private void onExit(UUID id, ExitReason reason, String detail) {
        Handover gpu = handover(id);
        String failure = gpu == null ? "" : giveBack(id);
        synchronized (this) {
            VmDefinition def = definitions.get(id);
            VmState state = switch (reason) {
                case CRASHED -> VmState.CRASHED;
                case SUSPENDED -> VmState.SUSPENDED;
                default -> VmState.STOPPED;
            };
            String why = detail == null ? (failure.isEmpty() ? null : failure.substring(2)) : detail + failure;
            boolean restart = false;
            String refused = startsRefused;
            if (def != null && state == VmState.CRASHED && def.onCrash() == CrashAction.RESTART) {
                int restarts = crashLoop.restartsBefore(id);
                if (refused != null) {
                    why = (why == null ? "crashed" : why) + "; not restarted: " + refused;
                } else if (restarts < CrashLoop.MAX_RESTARTS) {
                    crashLoop.restarted(id);
                    why = (why == null ? "crashed" : why) + "; restarting (" + (restarts + 1) + " of " + CrashLoop.MAX_RESTARTS + " restarts within "
                            + CrashLoop.WINDOW.toSeconds() + " s)";
                    restart = true;
                } else {
                    state = VmState.STOPPED;
                    why = "crashed " + (restarts + 1) + " times within " + CrashLoop.WINDOW.toSeconds()
                            + " s; left stopped. Last crash: " + why;
                    crashLoop.forget(id);
                }
            }
            live.put(id, LiveState.of(state, why));
            VmDefinition ran = runningAs.remove(id);
            if (ran != null && networks != null) {
                networks.unplug(ran);
            }
            cdChanges.remove(id); // a live CD change lasts until the VM stops
            runningRecords.remove(id);
            if (reason != ExitReason.SUSPENDED) {
                setAsideSavedState(id, "it ended after it was saved"); // e.g. forced off while suspending
            }
            if (def != null) {
                events.publish(LifecycleEvent.Type.of(state), id, def.name(), def.slot(), null, why,
                        gpu == null || !failure.isEmpty() ? null : event(gpu), state);
            }
            if (restart) {
                worker.execute(() -> restartAfterCrash(id));
            }
        }
    }

    private void restartAfterCrash(UUID id) {
        try {
            start(id.toString());
        } catch (RpcException e) {
            // Deleted or started by someone else meanwhile, or the start failed (its event says why).
            LOG.warning("restart of " + id + " after its crash failed: " + e.getMessage());
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
                powerControl, backend.build());
    }

    public String accelerator() {
        return backend.accelerator();
    }

    /** Leaves the VMs running: a restarted daemon takes them back. */
    public void close() {
        Runnable subscription;
        synchronized (this) {
            subscription = networkSubscription;
        }
        if (subscription != null) {
            subscription.run();
        }
        worker.shutdownNow();
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

    /** Serves networks: their NICs validated, plugged at start and unplugged at exit. */
    public synchronized void useNetworks(Networks served) {
        this.networks = served;
        served.definitions(() -> snapshot);
    }

    private void plug(VmDefinition def) throws BackendException {
        if (networks == null) {
            return;
        }
        try {
            networks.plug(def, !backend.makesNicInterfaces());
        } catch (NetworkException e) {
            throw new BackendException(e.getMessage(), e);
        }
    }

    /** Puts a running VM's NIC online or offline at once (its tap or vif link). */
    /**
     * Changes NIC {@code nic} of a VM: its online switch and/or policy (null: as it is), stored in the
     * definition; on a running VM applied at once. When applying fails, the stored definition stays
     * as it was.
     */
    public synchronized VmStatus nicSet(String ref, int nic, Boolean online, NicPolicy policy, List<String> allowed)
            throws RpcException {
        VmDefinition def = find(ref);
        if (online == null && policy == null && allowed == null) {
            throw RpcException.invalidParam(ToolstackApi.VmNicSet.ONLINE, "say what changes: online, policy, allowed");
        }
        if (nic < 0 || nic >= def.nics().size() || def.nics().get(nic).network() == null) {
            throw new RpcException(ErrorCode.NOT_FOUND, "'" + def.name() + "' has no network interface " + (nic + 1)
                    + " on one of polydeskd's networks");
        }
        Nic was = def.nics().get(nic);
        Nic now = was.withOnline(online == null ? was.online() : online).withPolicy(policy == null ? was.policy() : policy)
                .withAllowed(allowed != null ? allowed : policy != null && policy != NicPolicy.ALLOWED ? null : was.allowed());
        List<Nic> nics = new ArrayList<>(def.nics());
        nics.set(nic, now);
        VmDefinition changed = def.toBuilder().nics(nics).build();
        validate(changed);
        VmDefinition ran = runningAs.get(def.id());
        boolean applied = false;
        if (ran != null && nic < ran.nics().size() && ran.nics().get(nic).network() != null && networks != null) {
            try {
                if (online != null) {
                    networks.setOnline(ran, nic, online);
                    try {
                        backend.setNicLink(def.id(), nic, online);
                    } catch (BackendException e) {
                        // dom0 stops the traffic either way; the guest just does not see its cable move.
                        LOG.info("'" + def.name() + "': " + e.getMessage());
                    }
                }
                if (policy != null || allowed != null) {
                    networks.setPolicy(ran, nic, now);
                }
                applied = true;
            } catch (NetworkException e) {
                throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
            }
        }
        save(changed);
        definitions.put(changed.id(), changed);
        snapshot = List.copyOf(definitions.values());
        String detail = "network interface " + (nic + 1) + ": " + (now.onlineOrDefault() ? "online" : "offline")
                + ", policy " + now.policyOrDefault().wireName()
                + (now.allowed() == null ? "" : " (" + String.join(", ", now.allowed()) + ")") + (applied ? "" : " (from its next start)");
        events.publish(LifecycleEvent.Type.CHANGED, def.id(), def.name(), def.slot(), null, detail, null, state(def.id()).state());
        return status(changed);
    }

    /**
     * Gives every NIC without a MAC one, generated once and stored with the definition: QEMU would
     * give every VM's first NIC the same one. A NIC that had a MAC in {@code old} at the same place
     * keeps it.
     */
    private VmDefinition withMacs(VmDefinition def, VmDefinition old) {
        if (def.nics().stream().allMatch(n -> n.mac() != null)) {
            return def;
        }
        java.util.Set<String> taken = java.util.stream.Stream.concat(definitions.values().stream(), java.util.stream.Stream.of(def))
                .flatMap(d -> d.nics().stream()).map(Nic::mac).filter(java.util.Objects::nonNull)
                .map(m -> m.toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        List<Nic> nics = new ArrayList<>();
        for (int i = 0; i < def.nics().size(); i++) {
            Nic n = def.nics().get(i);
            if (n.mac() == null && old != null && i < old.nics().size() && old.nics().get(i).mac() != null) {
                n = n.withMac(old.nics().get(i).mac());
            }
            if (n.mac() == null) {
                String mac;
                do {
                    mac = randomMac();
                } while (!taken.add(mac));
                n = n.withMac(mac);
            }
            nics.add(n);
        }
        return def.toBuilder().nics(nics).build();
    }

    /** QEMU's prefix 52:54:00 and three random bytes. */
    private static String randomMac() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return String.format("52:54:00:%02x:%02x:%02x", b[0] & 0xff, b[1] & 0xff, b[2] & 0xff);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private void validate(VmDefinition def) throws RpcException {
        List<Problem> problems = new ArrayList<>();
        try {
            DefinitionValidator.validate(def, definitions.values());
        } catch (InvalidDefinitionException e) {
            problems.addAll(e.problems());
        }
        // What this host's hypervisor cannot give the VM (a TPM on Xen) is refused now, not at its start.
        problems.addAll(backend.unsupported(def));
        if (networks != null) {
            problems.addAll(networks.unknownNetworks(def));
        } else {
            for (int i = 0; i < def.nics().size(); i++) {
                if (def.nics().get(i).network() != null) {
                    problems.add(new Problem(VmDefinition.NICS + "[" + i + "]", "network interface " + (i + 1)
                            + " is on network '" + def.nics().get(i).network() + "', but this polydeskd serves no networks"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw RpcException.invalid(ErrorCode.INVALID_DEFINITION,
                    new InvalidDefinitionException(problems).problemsIn(ToolstackApi.VmCreate.DEFINITION));
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

    /** Records the VM's new state and tells the subscribers. */
    private void enter(VmDefinition def, LiveState next) {
        live.put(def.id(), next);
        events.publish(LifecycleEvent.Type.of(next.state()), def.id(), def.name(), def.slot(),
                next.state() == VmState.STOPPED || next.state() == VmState.SUSPENDED ? null : next.sockets(),
                next.detail(), null, next.state(), next.state() == VmState.RUNNING ? def.monitor() : null);
    }

    private LiveState state(UUID id) {
        return live.getOrDefault(id, LiveState.STOPPED);
    }

    private VmStatus status(VmDefinition def) {
        LiveState rt = state(def.id());
        return new VmStatus(def, rt.state(), rt.pid(), rt.domid(), rt.sockets(), rt.detail());
    }
}
