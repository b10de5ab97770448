package org.polydesk.toolstack.usb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.usb.UsbEvent;
import org.polydesk.protocol.usb.UsbPolicy;
import org.polydesk.protocol.usb.UsbRule;
import org.polydesk.protocol.usb.UsbSettings;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.definition.AtomicFile;
import org.polydesk.toolstack.events.Subscribers;

/**
 * Who holds each of the host's USB devices, and where a newly plugged one goes: to the VM a rule
 * names (when it runs; else it waits for its start), else by the policy — the VM in front, ask, or
 * dom0. A keyboard or mouse the input server reads goes nowhere unless a person names it. A device
 * held by one VM goes to no other before it is released; a VM that ends gives its devices back.
 * The device list is sysfs's, read again on each of the kernel's USB events ({@link #rescan}).
 */
public final class UsbManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UsbManager.class.getName());

    /** What the manager needs of polydeskd's VMs. */
    public interface Vms {
        /** The VM named by id, name or slot; NOT_FOUND otherwise. */
        VmDefinition find(String ref) throws RpcException;

        /** The VM with this id, or null if it was deleted. */
        VmDefinition byId(UUID id);

        /** Whether it runs (or is paused): whether its hypervisor can take a device now. */
        boolean running(UUID id);

        /** Gives the device to the running VM; returns once the VM has it. */
        void attach(UUID id, UsbDevice device) throws BackendException;

        /** Takes it back. */
        void detach(UUID id, UsbDevice device) throws BackendException;

        /** The VMs that run (or are paused) now. */
        List<UUID> running();

        /** The host USB devices a running VM holds, as its hypervisor says. */
        List<HypervisorBackend.UsbAddress> held(UUID id) throws BackendException;
    }

    private final SysfsUsb sysfs;
    private final Path settingsFile;
    private final Vms vms;
    private final Subscribers<UsbEvent> subscribers = new Subscribers<>("USB event");
    /** Lifecycle and focus news, handled off the caller's thread (the VM manager's, which holds its lock). */
    private final ExecutorService news = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "usb-policy");
        t.setDaemon(true);
        return t;
    });
    /** The devices as last read, by port. */
    private final Map<String, UsbDevice> present = new HashMap<>();
    /** The VM that holds the device at each port. */
    private final Map<String, UUID> holders = new HashMap<>();
    private UsbSettings settings = UsbSettings.defaults();
    private volatile UUID focused;

    public UsbManager(SysfsUsb sysfs, Path settingsFile, Vms vms) {
        this.sysfs = sysfs;
        this.settingsFile = settingsFile;
        this.vms = vms;
    }

    /** Reads the stored settings (a damaged file is set aside, the defaults used) and the devices present. */
    public synchronized UsbManager load() {
        if (Files.exists(settingsFile)) {
            try {
                settings = Json.mapper().readValue(Files.readString(settingsFile), UsbSettings.class);
            } catch (IOException | RuntimeException e) {
                Path aside = settingsFile.resolveSibling(settingsFile.getFileName() + ".damaged");
                LOG.warning("USB settings " + settingsFile + " unreadable (" + e.getMessage() + "); set aside as " + aside
                        + ", the defaults used");
                try {
                    Files.move(settingsFile, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException moveFailed) {
                    LOG.warning("cannot set " + settingsFile + " aside: " + moveFailed.getMessage());
                }
            }
        }
        // Devices already plugged in stay where they are; only the rules of VMs that start place them.
        for (UsbDevice d : readAll()) {
            present.put(d.port(), d);
        }
        // VMs that ran on through a restart of polydeskd still hold what they held: their hypervisor says what.
        for (UUID vm : vms.running()) {
            try {
                for (HypervisorBackend.UsbAddress a : vms.held(vm)) {
                    present.values().stream().filter(d -> d.bus() == a.bus() && d.address() == a.address()).findFirst()
                            .ifPresent(d -> holders.put(d.port(), vm));
                }
            } catch (BackendException e) {
                LOG.warning("cannot ask which USB devices " + vm + " holds: " + e.getMessage());
            }
        }
        return this;
    }

    public Runnable subscribe(Consumer<UsbEvent> subscriber) {
        return subscribers.subscribe(subscriber);
    }

    public synchronized List<UsbDevice> list() {
        rescan();
        return present.values().stream().map(this::withHolder)
                .sorted(java.util.Comparator.comparing(UsbDevice::port, SysfsUsb::comparePorts)).toList();
    }

    public synchronized UsbSettings settings() {
        return named(settings);
    }

    /**
     * Gives the device to the VM; for a VM that does not run, stores a rule by the device's ids
     * instead (answered with the device still in dom0).
     */
    public synchronized UsbDevice assign(String deviceRef, String vmRef) throws RpcException {
        rescan();
        UsbDevice d = device(deviceRef, ToolstackApi.UsbAssign.DEVICE);
        if (vmRef == null || vmRef.isBlank()) {
            throw RpcException.invalidParam(ToolstackApi.UsbAssign.VM, "vm must name the VM by id, name or slot");
        }
        VmDefinition vm = vms.find(vmRef);
        UUID holder = holders.get(d.port());
        if (vm.id().equals(holder)) {
            return withHolder(d);
        }
        if (holder != null) {
            throw new RpcException(ErrorCode.WRONG_STATE, d.label() + " (" + d.port() + ") is held by '" + nameOf(holder)
                    + "'; release it first (usb.release)");
        }
        if (!vms.running(vm.id())) {
            UsbRule rule = new UsbRule(vm.id(), null, d.vendorProduct(), d.serial(), null);
            if (settings.rules().stream().noneMatch(rule::sameAs)) {
                List<UsbRule> rules = new ArrayList<>(settings.rules());
                rules.add(rule);
                store(new UsbSettings(settings.policy(), rules));
            }
            publish(UsbEvent.Type.CHANGED, null, vm.id(), "'" + vm.name() + "' is not running: " + d.label()
                    + " goes to it when it starts (rule " + rule.describe() + ")");
            return withHolder(d);
        }
        String failure = attach(d, vm, "on request");
        if (failure != null) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, failure);
        }
        return withHolder(d);
    }

    public synchronized UsbDevice release(String deviceRef) throws RpcException {
        rescan();
        UsbDevice d = device(deviceRef, ToolstackApi.UsbRef.DEVICE);
        UUID holder = holders.get(d.port());
        if (holder == null) {
            throw new RpcException(ErrorCode.WRONG_STATE, d.label() + " (" + d.port() + ") is with dom0 already");
        }
        detach(d, holder, "on request");
        return withHolder(d);
    }

    public synchronized UsbSettings addRule(ToolstackApi.UsbRuleChange change) throws RpcException {
        UsbRule rule = rule(change);
        if (settings.rules().stream().anyMatch(rule::sameAs)) {
            return settings();
        }
        List<UsbRule> rules = new ArrayList<>(settings.rules());
        rules.add(rule);
        store(new UsbSettings(settings.policy(), rules));
        publish(UsbEvent.Type.CHANGED, null, rule.vm(), "rule added: " + rule.describe() + " to '" + nameOf(rule.vm()) + "'");
        if (vms.running(rule.vm())) {
            for (UsbDevice d : List.copyOf(present.values())) {
                if (rule.matches(d) && !holders.containsKey(d.port())) {
                    attach(d, vms.byId(rule.vm()), "by the new rule " + rule.describe());
                }
            }
        }
        return settings();
    }

    public synchronized UsbSettings removeRule(ToolstackApi.UsbRuleChange change) throws RpcException {
        UsbRule rule = rule(change);
        List<UsbRule> rules = new ArrayList<>(settings.rules());
        if (!rules.removeIf(rule::sameAs)) {
            throw new RpcException(ErrorCode.NOT_FOUND, "no rule " + rule.describe() + " for '" + nameOf(rule.vm())
                    + "'; the rules are: " + describe(settings.rules()));
        }
        store(new UsbSettings(settings.policy(), rules));
        publish(UsbEvent.Type.CHANGED, null, rule.vm(), "rule removed: " + rule.describe());
        return settings();
    }

    public synchronized UsbSettings setPolicy(UsbPolicy policy) throws RpcException {
        if (policy == null) {
            throw RpcException.invalidParam(ToolstackApi.UsbPolicySet.POLICY, "policy must be focused, ask or dom0");
        }
        store(new UsbSettings(policy, settings.rules()));
        publish(UsbEvent.Type.CHANGED, null, null, "policy: " + policy.name().toLowerCase());
        return settings();
    }

    /** The VM in front changed ({@code null}: the control UI, or nobody knows). */
    public void focus(UUID vm) {
        focused = vm;
    }

    /** A VM started: the devices its rules name, present and free, go to it. */
    public void started(UUID vm) {
        news.execute(() -> {
            synchronized (this) {
                rescan();
                VmDefinition def = vms.byId(vm);
                for (UsbRule rule : settings.rules()) {
                    if (!rule.vm().equals(vm) || def == null) {
                        continue;
                    }
                    for (UsbDevice d : List.copyOf(present.values())) {
                        if (rule.matches(d) && !holders.containsKey(d.port())) {
                            attach(d, def, "by the rule " + rule.describe() + " as it started");
                        }
                    }
                }
            }
        });
    }

    /** A VM ended: its devices are dom0's again (its hypervisor let go of them as it ended). */
    public void ended(UUID vm) {
        news.execute(() -> {
            synchronized (this) {
                for (Map.Entry<String, UUID> e : List.copyOf(holders.entrySet())) {
                    if (e.getValue().equals(vm)) {
                        holders.remove(e.getKey());
                        UsbDevice d = present.get(e.getKey());
                        if (d != null) {
                            publish(UsbEvent.Type.RELEASED, d, vm, "back with dom0: '" + nameOf(vm) + "' ended");
                        }
                    }
                }
            }
        });
    }

    /**
     * Reads sysfs again and acts on the difference: a device gone is taken from its VM (if any) and
     * reported; a new one (or one plugged again, with a new address) is reported and placed.
     */
    public synchronized void rescan() {
        Map<String, UsbDevice> now = new HashMap<>();
        for (UsbDevice d : readAll()) {
            now.put(d.port(), d);
        }
        for (UsbDevice old : List.copyOf(present.values())) {
            UsbDevice d = now.get(old.port());
            if (d == null || d.bus() != old.bus() || d.address() != old.address()) {
                present.remove(old.port());
                UUID holder = holders.remove(old.port());
                if (holder != null && vms.running(holder)) {
                    try {
                        vms.detach(holder, old); // QEMU keeps an empty slot otherwise
                    } catch (BackendException e) {
                        LOG.fine("detaching " + old.port() + " after its removal: " + e.getMessage());
                    }
                }
                publish(UsbEvent.Type.REMOVED, old.heldBy(holder, holder == null ? null : nameOf(holder)), holder,
                        old.label() + " pulled out" + (holder == null ? "" : " of '" + nameOf(holder) + "'"));
            }
        }
        for (UsbDevice d : now.values()) {
            if (!present.containsKey(d.port())) {
                present.put(d.port(), d);
                place(d);
            }
        }
    }

    /** A device just plugged in: by rule, else by the policy. */
    private void place(UsbDevice d) {
        for (UsbRule rule : settings.rules()) {
            VmDefinition vm = vms.byId(rule.vm());
            if (vm != null && rule.matches(d)) {
                if (vms.running(vm.id())) {
                    attach(d, vm, "plugged in, by the rule " + rule.describe());
                } else {
                    publish(UsbEvent.Type.PLUGGED, d, vm.id(), d.label() + " plugged in; it waits for '" + vm.name()
                            + "' to start (rule " + rule.describe() + ")");
                }
                return;
            }
        }
        if (d.input()) {
            publish(UsbEvent.Type.PLUGGED, d, null, d.label() + " plugged in; a " + d.kind()
                    + ", it stays with the input server (assign it by name to give it to a VM)");
            return;
        }
        UUID front = focused;
        switch (settings.policy()) {
            case FOCUSED -> {
                VmDefinition vm = front == null ? null : vms.byId(front);
                if (vm != null && vms.running(front)) {
                    attach(d, vm, "plugged in while it was in front");
                } else {
                    publish(UsbEvent.Type.PLUGGED, d, null, d.label() + " plugged in; dom0 keeps it (no VM in front)");
                }
            }
            case ASK -> publish(UsbEvent.Type.ASK, d, null, d.label() + " plugged in: which VM should have it?");
            case DOM0 -> publish(UsbEvent.Type.PLUGGED, d, null, d.label() + " plugged in; dom0 keeps it (policy dom0)");
        }
    }

    /** Gives the device to the VM and says so; null, or why it could not (also said in an event). */
    private String attach(UsbDevice d, VmDefinition vm, String why) {
        try {
            vms.attach(vm.id(), d);
            holders.put(d.port(), vm.id());
            publish(UsbEvent.Type.ASSIGNED, withHolder(d), vm.id(), d.label() + " went to '" + vm.name() + "' (" + why + ")");
            return null;
        } catch (BackendException e) {
            boolean gone = sysfs.read(d.port()).filter(now -> now.address() == d.address()).isEmpty();
            String failure = gone ? d.label() + " was pulled out while it was given to '" + vm.name() + "'; dom0 has nothing left of it"
                    : "cannot give " + d.label() + " to '" + vm.name() + "': " + e.getMessage();
            LOG.warning(failure);
            publish(UsbEvent.Type.FAILED, d, vm.id(), failure);
            if (gone) {
                rescan();
            }
            return failure;
        }
    }

    private void detach(UsbDevice d, UUID holder, String why) throws RpcException {
        if (vms.running(holder)) {
            try {
                vms.detach(holder, d);
            } catch (BackendException e) {
                throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot take " + d.label() + " from '" + nameOf(holder)
                        + "': " + e.getMessage());
            }
        }
        holders.remove(d.port());
        publish(UsbEvent.Type.RELEASED, d, holder, d.label() + " back with dom0 from '" + nameOf(holder) + "' (" + why + ")");
    }

    /** By port, or by vendor:product when exactly one such is plugged in. */
    private UsbDevice device(String ref, String field) throws RpcException {
        if (ref == null || ref.isBlank()) {
            throw RpcException.invalidParam(field, "device must be a USB device's port (as usb.list shows, 1-2.3)"
                    + " or its vendor:product");
        }
        UsbDevice byPort = present.get(ref);
        if (byPort != null) {
            return byPort;
        }
        List<UsbDevice> byIds = present.values().stream().filter(d -> d.vendorProduct().equalsIgnoreCase(ref)).toList();
        if (byIds.size() == 1) {
            return byIds.get(0);
        }
        if (byIds.size() > 1) {
            throw new RpcException(ErrorCode.NOT_FOUND, byIds.size() + " devices " + ref + " are plugged in (ports "
                    + String.join(", ", byIds.stream().map(UsbDevice::port).sorted().toList()) + "); name one by its port");
        }
        throw new RpcException(ErrorCode.NOT_FOUND, "no USB device " + ref + " is plugged in"
                + (present.isEmpty() ? "" : "; there are: " + String.join(", ", present.values().stream()
                .map(d -> d.port() + " (" + d.vendorProduct() + " " + d.label() + ")").sorted().toList())));
    }

    private UsbRule rule(ToolstackApi.UsbRuleChange c) throws RpcException {
        if (c.vm() == null || c.vm().isBlank()) {
            throw RpcException.invalidParam(ToolstackApi.UsbRuleChange.VM, "vm must name the VM by id, name or slot");
        }
        VmDefinition vm = vms.find(c.vm());
        boolean byIds = c.vendorProduct() != null, byPort = c.port() != null;
        if (byIds == byPort) {
            throw RpcException.invalidParam(ToolstackApi.UsbRuleChange.VENDOR_PRODUCT,
                    "a rule matches either vendorProduct (vvvv:pppp, with serial if wanted) or port, one of the two");
        }
        if (byIds && !c.vendorProduct().matches("[0-9a-fA-F]{4}:[0-9a-fA-F]{4}")) {
            throw RpcException.invalidParam(ToolstackApi.UsbRuleChange.VENDOR_PRODUCT,
                    "vendorProduct must be four hex digits, a colon and four more (0781:5567), not '" + c.vendorProduct() + "'");
        }
        if (byPort && !c.port().matches("\\d+-\\d+(\\.\\d+)*")) {
            throw RpcException.invalidParam(ToolstackApi.UsbRuleChange.PORT,
                    "port must be a USB port as usb.list shows it (1-2, 3-1.4), not '" + c.port() + "'");
        }
        if (c.serial() != null && byPort) {
            throw RpcException.invalidParam(ToolstackApi.UsbRuleChange.SERIAL, "serial goes with vendorProduct, not with port");
        }
        return new UsbRule(vm.id(), null, byIds ? c.vendorProduct().toLowerCase() : null, c.serial(), c.port());
    }

    private void store(UsbSettings next) throws RpcException {
        try {
            AtomicFile.write(settingsFile, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(next));
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot store the USB settings in " + settingsFile + ": "
                    + e.getMessage());
        }
        settings = next;
    }

    private UsbSettings named(UsbSettings s) {
        return new UsbSettings(s.policy(), s.rules().stream()
                .map(r -> new UsbRule(r.vm(), nameOrNull(r.vm()), r.vendorProduct(), r.serial(), r.port())).toList());
    }

    private String describe(List<UsbRule> rules) {
        return rules.isEmpty() ? "(none)" : String.join("; ", rules.stream()
                .map(r -> r.describe() + " to '" + nameOf(r.vm()) + "'").toList());
    }

    private UsbDevice withHolder(UsbDevice d) {
        UUID holder = holders.get(d.port());
        return d.heldBy(holder, holder == null ? null : nameOf(holder));
    }

    private String nameOrNull(UUID vm) {
        VmDefinition def = vm == null ? null : vms.byId(vm);
        return def == null ? null : def.name();
    }

    private String nameOf(UUID vm) {
        String name = nameOrNull(vm);
        return name != null ? name : String.valueOf(vm);
    }

    private List<UsbDevice> readAll() {
        try {
            return sysfs.list();
        } catch (IOException e) {
            LOG.warning("cannot read the USB devices: " + e.getMessage());
            return List.copyOf(present.values());
        }
    }

    private void publish(UsbEvent.Type type, UsbDevice d, UUID vm, String detail) {
        UsbEvent event = new UsbEvent(type, d, vm, vm == null ? null : nameOrNull(vm), detail);
        LOG.info("usb: " + type.name().toLowerCase() + ": " + detail);
        subscribers.publish(event);
    }

    /** Holders by port, for tests. */
    synchronized Optional<UUID> holder(String port) {
        return Optional.ofNullable(holders.get(port));
    }

    @Override
    public void close() {
        news.shutdownNow();
    }
}
