package org.polydesk.toolstack.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkEvent;
import org.polydesk.protocol.network.NetworkKind;
import org.polydesk.protocol.network.NetworkStatus;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ImportRemark;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.XlImportResult;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicAllowed;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.NicNames;

/**
 * polydeskd's networks: each stored ({@link NetworkStore}), and while it exists, up — its bridge,
 * its dnsmasq ({@link Dnsmasq}) and its part of the firewall ({@link Firewall}). VMs are plugged in
 * when they start (the QEMU backend's taps are made here; Xen's vifs by libxl's hotplug script, with
 * the same names) and out when they end; each NIC's policy follows its tap or vif.
 *
 * <p>A host with no networks is never touched: no interface, no nft rule, no sysctl. Whatever step
 * of making a network fails, what it made is taken away again and the network is not stored. A
 * stored network that cannot come up when polydeskd starts (a boot slow to load nftables, a USB NIC
 * not yet plugged in) is tried again, after {@link #RETRY_FIRST_SECONDS} s and then twice as long
 * each time up to {@link #RETRY_MAX_SECONDS} s, until it comes up, is changed or deleted.
 */
public final class Networks {
    private static final Logger LOG = Logger.getLogger(Networks.class.getName());
    public static final String DEFAULT = "default";
    /** In the store's directory: the appliance's default network was made once (deleting it is for good). */
    private static final String DEFAULT_MADE = ".default-made";
    static final int RETRY_FIRST_SECONDS = 5, RETRY_MAX_SECONDS = 300;

    private final NetworkStore store;
    private final Path runDir;
    private final String dnsmasqBinary;
    private final NetworkEvents events;
    private final HostLinks links = new HostLinks();
    /** The stored networks. */
    private final Map<String, Network> networks = new TreeMap<>();
    /** The networks that are up: their bridge is there and their rules are loaded. */
    private final Map<String, Network> active = new TreeMap<>();
    private final Map<String, Dnsmasq> dhcp = new HashMap<>();
    private final Map<String, String> problems = new HashMap<>();
    private final Map<String, Plugged> plugged = new TreeMap<>();
    private Supplier<Collection<VmDefinition>> definitions = List::of;
    private boolean rulesLoaded;
    /** Tries again the stored networks that did not come up at the start; made at the first such failure. */
    private ScheduledExecutorService retries;

    /** A VM's NIC on a network: its tap or vif, the network, its policy, and whether we made the tap. */
    private record Plugged(String network, NicPolicy policy, List<NicAllowed> allowed, boolean tap) {
        static Plugged of(Nic nic, boolean tap) {
            return new Plugged(nic.network(), nic.policyOrDefault(), nic.allowedOrEmpty().stream().map(NicAllowed::parse).toList(), tap);
        }
    }

    public Networks(NetworkStore store, Path runDir, String dnsmasqBinary, NetworkEvents events) {
        this.store = store;
        this.runDir = runDir;
        this.dnsmasqBinary = dnsmasqBinary;
        this.events = events;
    }

    public NetworkEvents events() {
        return events;
    }

    /** Where {@link #list} and {@link #delete} find the VMs whose NICs name a network. */
    public synchronized void definitions(Supplier<Collection<VmDefinition>> all) {
        this.definitions = all;
    }

    /**
     * Loads the stored networks and brings each up (one that cannot come up is listed with why);
     * with {@code makeDefault}, the first start also makes the nat network {@value #DEFAULT}.
     */
    public synchronized void open(boolean makeDefault) throws IOException {
        NetworkStore.Contents contents = store.load();
        contents.problems().forEach(p -> LOG.warning("network store: " + p));
        for (Network n : contents.networks()) {
            networks.put(n.name(), n);
        }
        tidyLeftovers();
        for (Network n : networks.values()) {
            try {
                bringUp(n);
            } catch (NetworkException e) {
                problems.put(n.name(), e.getMessage());
                events.publish(NetworkEvent.Type.FAILED, n.name(), e.getMessage());
                LOG.warning("network '" + n.name() + "' did not come up: " + e.getMessage() + "; trying again in "
                        + RETRY_FIRST_SECONDS + " s");
                retryLater(n, RETRY_FIRST_SECONDS);
            }
        }
        Path made = store.fileOf(DEFAULT).resolveSibling(DEFAULT_MADE);
        if (makeDefault && !Files.exists(made)) {
            if (!networks.containsKey(DEFAULT)) {
                try {
                    create(new Network(DEFAULT, NetworkKind.NAT, freeSubnet(), null, null));
                } catch (RpcException | NetworkException e) {
                    LOG.warning("cannot make the default network: " + e.getMessage());
                    return; // tried again at the next start
                }
            }
            Files.writeString(made, "");
        }
    }

    private void retryLater(Network n, int seconds) {
        if (retries != null && retries.isShutdown()) {
            return; // polydeskd is stopping
        }
        if (retries == null) {
            retries = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "network-retry");
                t.setDaemon(true);
                return t;
            });
        }
        retries.schedule(() -> retry(n, seconds), seconds, TimeUnit.SECONDS);
    }

    /** Brings {@code n} up unless it was changed, deleted or brought up since; else tries again later. */
    private synchronized void retry(Network n, int waited) {
        if (networks.get(n.name()) != n || active.containsKey(n.name()) || !problems.containsKey(n.name())) {
            return;
        }
        try {
            bringUp(n);
            problems.remove(n.name());
            LOG.info("network '" + n.name() + "' is up, tried again after it failed at the start");
        } catch (NetworkException e) {
            int next = Math.min(waited * 2, RETRY_MAX_SECONDS);
            if (!e.getMessage().equals(problems.put(n.name(), e.getMessage()))) {
                events.publish(NetworkEvent.Type.FAILED, n.name(), e.getMessage());
            }
            LOG.warning("network '" + n.name() + "' still does not come up: " + e.getMessage() + "; trying again in "
                    + next + " s");
            retryLater(n, next);
        }
    }

    /**
     * What a polydeskd killed in the middle of making or deleting a network left behind: the dnsmasq
     * and bridge of a network that is not stored, and our rules when no network is. A host that
     * never had a network has none of these and is not touched.
     */
    private void tidyLeftovers() {
        try (var files = Files.exists(runDir) ? Files.list(runDir) : java.util.stream.Stream.<Path>empty()) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(Dnsmasq.PID_SUFFIX)
                        && !networks.containsKey(name.substring(0, name.length() - Dnsmasq.PID_SUFFIX.length()))) {
                    Dnsmasq.endLeftover(f);
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot look for leftover dnsmasqs in " + runDir + ": " + e.getMessage());
        }
        try {
            List<String> ours = networks.values().stream().map(Network::bridge).toList();
            for (HostLinks.Link l : links.links()) {
                if ("bridge".equals(l.kind()) && l.name().startsWith(Network.BRIDGE_PREFIX) && !ours.contains(l.name())) {
                    LOG.info("deleting bridge " + l.name() + ", left by a network that was never stored or was deleted");
                    links.delete(l.name());
                }
            }
        } catch (NetworkException e) {
            LOG.warning("cannot tidy what an earlier polydeskd left: " + e.getMessage());
        }
        if (networks.isEmpty()) {
            try {
                if (Firewall.loaded()) {
                    LOG.info("removing polydeskd's firewall rules, left with no network to serve");
                    Firewall.clear();
                }
            } catch (NetworkException e) {
                LOG.fine("no nft rules looked at: " + e.getMessage()); // a host without nftables has none of ours
            }
        }
    }

    /** The first of 10.77.0.1/24, 10.78.0.1/24, … that nothing on the host or among the networks uses. */
    private String freeSubnet() throws NetworkException {
        List<HostLinks.Address> host = links.addresses();
        for (int second = 77; second < 255; second++) {
            String candidate = "10." + second + ".0.1/24";
            if (clash(Ipv4Net.parse(candidate), null, host) == null) {
                return candidate;
            }
        }
        throw new NetworkException("every subnet from 10.77.0.0/24 to 10.254.0.0/24 is in use");
    }

    /** The stored networks that {@code def}'s NICs are on and that are not up now. */
    public synchronized List<String> downFor(VmDefinition def) {
        return def.nics().stream().map(Nic::network)
                .filter(n -> n != null && networks.containsKey(n) && !active.containsKey(n))
                .distinct().toList();
    }

    public synchronized List<NetworkStatus> list() {
        return networks.values().stream().map(this::status).toList();
    }

    public synchronized NetworkStatus show(String name) throws RpcException {
        return status(find(name));
    }

    private NetworkStatus status(Network n) {
        Dnsmasq d = dhcp.get(n.name());
        String dhcpState = !n.dhcpOn() ? "off" : d != null && d.running() ? "running" : d != null ? "restarting" : "off";
        List<String> vms = definitions.get().stream().filter(def -> uses(def, n.name())).map(VmDefinition::name).toList();
        return new NetworkStatus(n, n.bridge(), active.containsKey(n.name()), dhcpState, problems.get(n.name()), vms);
    }

    private static boolean uses(VmDefinition def, String network) {
        return def.nics().stream().anyMatch(nic -> network.equals(nic.network()));
    }

    public synchronized NetworkStatus create(Network requested) throws RpcException {
        if (requested != null && requested.name() != null && networks.containsKey(requested.name())) {
            throw RpcException.invalid(ErrorCode.INVALID_DEFINITION,
                    List.of(new Problem(Network.NAME, "a network named '" + requested.name() + "' already exists")));
        }
        validate(requested, null);
        try {
            bringUp(requested);
        } catch (NetworkException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot make network '" + requested.name() + "': " + e.getMessage());
        }
        try {
            store.save(requested);
        } catch (IOException e) {
            takeDown(requested);
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot write " + store.fileOf(requested.name()) + ": " + e.getMessage());
        }
        networks.put(requested.name(), requested);
        problems.remove(requested.name());
        events.publish(NetworkEvent.Type.CREATED, requested.name(), requested.kind().wireName() + " on " + requested.bridge());
        return status(requested);
    }

    /** Changes a network no running VM is plugged into; on failure the old one is brought back. */
    public synchronized NetworkStatus edit(String name, Network requested) throws RpcException {
        Network old = find(name);
        if (requested == null || !Objects.equals(requested.name() == null ? name : requested.name(), name)) {
            throw RpcException.invalid(ErrorCode.INVALID_DEFINITION,
                    List.of(new Problem(Network.NAME, "a network cannot be renamed; make a new one")));
        }
        Network changed = new Network(name, requested.kind(), requested.address(), requested.dhcp(), requested.uplink());
        List<String> running = pluggedInto(name);
        if (!running.isEmpty()) {
            throw new RpcException(ErrorCode.WRONG_STATE, "network '" + name + "' is in use by running VMs ("
                    + String.join(", ", running) + "); stop them to change it");
        }
        validate(changed, name);
        takeDown(old);
        try {
            bringUp(changed);
            store.save(changed);
        } catch (NetworkException | IOException e) {
            takeDown(changed);
            try {
                bringUp(old);
                problems.remove(name);
            } catch (NetworkException again) {
                problems.put(name, again.getMessage());
            }
            throw new RpcException(e instanceof IOException ? ErrorCode.STORE_FAILED : ErrorCode.BACKEND_FAILED,
                    "cannot change network '" + name + "': " + e.getMessage());
        }
        networks.put(name, changed);
        problems.remove(name);
        events.publish(NetworkEvent.Type.CHANGED, name, null);
        return status(changed);
    }

    /** Deletes a network that no VM definition names (the refusal lists them). */
    public synchronized void delete(String name) throws RpcException {
        Network n = find(name);
        List<String> users = definitions.get().stream().filter(def -> uses(def, name)).map(VmDefinition::name).toList();
        if (!users.isEmpty()) {
            throw new RpcException(ErrorCode.WRONG_STATE, "network '" + name + "' is in use by " + String.join(", ", users)
                    + "; move their network interfaces to another network first");
        }
        try {
            store.delete(name);
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot delete " + store.fileOf(name) + ": " + e.getMessage());
        }
        networks.remove(name);
        problems.remove(name);
        takeDown(n);
        events.publish(NetworkEvent.Type.DELETED, name, null);
    }

    /**
     * An xl.cfg import's NICs placed on networks: a vif on a network's bridge ({@code pd-NAME}) goes on
     * that network, one on xl's default bridge xenbr0 on {@value #DEFAULT}, when those exist; a bridge no
     * network owns is kept as a host bridge, and the note says so. {@code vifLine}: where the file's vif
     * key is.
     */
    public synchronized XlImportResult placeImported(XlImportResult imported, int vifLine) {
        if (networks.isEmpty()) {
            return imported; // a host without networks: its bridges are all there is
        }
        List<Nic> nics = new ArrayList<>();
        List<ImportRemark> notes = new ArrayList<>(imported.notes());
        List<Nic> given = imported.definition().nics();
        for (int i = 0; i < given.size(); i++) {
            Nic nic = given.get(i);
            String bridge = nic.bridge();
            String network = null;
            if (bridge != null && bridge.startsWith(Network.BRIDGE_PREFIX)
                    && networks.containsKey(bridge.substring(Network.BRIDGE_PREFIX.length()))) {
                network = bridge.substring(Network.BRIDGE_PREFIX.length());
            } else if (XL_DEFAULT_BRIDGE.equals(bridge) && networks.containsKey(DEFAULT)) {
                network = DEFAULT;
                notes.add(new ImportRemark("vif[" + i + "]", vifLine, "on xl's default bridge " + bridge
                        + "; it goes on polydeskd's network '" + DEFAULT + "'"));
            } else if (bridge != null) {
                notes.add(new ImportRemark("vif[" + i + "]", vifLine, "bridge " + bridge + " is not one of polydeskd's"
                        + " networks (" + String.join(", ", networks.keySet()) + "); the NIC stays on that host bridge"));
            }
            nics.add(network == null ? nic : new Nic(null, nic.mac(), nic.model(), network, nic.policy(), nic.online()));
        }
        return new XlImportResult(imported.definition().toBuilder().nics(nics).build(), imported.unsupported(), notes,
                imported.usbRules());
    }

    /** The bridge xl puts a vif on when it names none (xl.conf(5)); Polydesk's counterpart is {@value #DEFAULT}. */
    private static final String XL_DEFAULT_BRIDGE = "xenbr0";

    /** The problems of {@code def}'s NICs that name networks that do not exist. */
    public synchronized List<Problem> unknownNetworks(VmDefinition def) {
        List<Problem> out = new ArrayList<>();
        for (int i = 0; i < def.nics().size(); i++) {
            Nic nic = def.nics().get(i);
            String network = nic.network();
            if (network != null && !networks.containsKey(network)) {
                out.add(new Problem(VmDefinition.NICS + "[" + i + "]", "network interface " + (i + 1) + " is on network '"
                        + network + "', which does not exist" + (networks.isEmpty() ? " (no network is defined)"
                        : " (networks: " + String.join(", ", networks.keySet()) + ")")));
            } else if (network != null && nic.policyOrDefault() == NicPolicy.INTERNET_ONLY
                    && networks.get(network).kind() == NetworkKind.BRIDGED) {
                // internet-only is policed where dom0 routes; a bridged VM reaches the internet across the LAN itself.
                out.add(new Problem(VmDefinition.NICS + "[" + i + "]", "network interface " + (i + 1) + " is internet-only on"
                        + " bridged network '" + network + "', whose VMs reach the internet across the LAN itself: use a nat"
                        + " network for internet-only, or policy allowed with the hosts it may reach"));
            }
        }
        return out;
    }

    /**
     * Plugs a starting VM's NICs into their networks: with {@code makeTaps} (the QEMU backend) its
     * taps are made on the bridges, link up unless the NIC is offline by its switch; its policies go
     * into the firewall. A network that is down refuses the start.
     */
    public synchronized void plug(VmDefinition def, boolean makeTaps) throws NetworkException {
        Map<String, Plugged> added = new LinkedHashMap<>();
        try {
            for (int i = 0; i < def.nics().size(); i++) {
                Nic nic = def.nics().get(i);
                if (nic.network() == null) {
                    continue;
                }
                Network n = active.get(nic.network());
                if (n == null) {
                    throw new NetworkException("network '" + nic.network() + "' is " + (!networks.containsKey(nic.network())
                            ? "not defined" : "down: " + problems.getOrDefault(nic.network(), "not up")));
                }
                String name = NicNames.of(def.id(), i);
                if (makeTaps) {
                    links.tap(name, n.bridge(), nic.onlineOrDefault());
                }
                added.put(name, Plugged.of(nic, makeTaps));
                plugged.put(name, added.get(name));
            }
            if (!added.isEmpty()) {
                applyFirewall();
            }
        } catch (NetworkException e) {
            for (Map.Entry<String, Plugged> a : added.entrySet()) {
                plugged.remove(a.getKey());
                if (a.getValue().tap()) {
                    deleteQuietly(a.getKey());
                }
            }
            throw new NetworkException("cannot plug '" + def.name() + "' into its networks: " + e.getMessage(), e);
        }
    }

    /** Sets the link of a running VM's NIC {@code nic} (its tap or vif) up or down. */
    public synchronized void setOnline(VmDefinition def, int nic, boolean online) throws NetworkException {
        String name = NicNames.of(def.id(), nic);
        if (!plugged.containsKey(name)) {
            throw new NetworkException("network interface " + (nic + 1) + " of '" + def.name() + "' is not plugged in");
        }
        List<String> there = NicNames.sides(name).stream().filter(links::exists).toList();
        if (there.isEmpty()) {
            throw new NetworkException(name + ", the interface of network interface " + (nic + 1) + " of '" + def.name()
                    + "', is not there");
        }
        for (String side : there) {
            links.link(side, online);
        }
    }

    /** Replaces the firewall rules of a running VM's NIC {@code nic} with those of {@code now}'s policy and allowed list. */
    public synchronized void setPolicy(VmDefinition def, int nic, Nic now) throws NetworkException {
        String name = NicNames.of(def.id(), nic);
        Plugged was = plugged.get(name);
        if (was == null) {
            throw new NetworkException("network interface " + (nic + 1) + " of '" + def.name() + "' is not plugged in");
        }
        plugged.put(name, new Plugged(was.network(), now.policyOrDefault(),
                now.allowedOrEmpty().stream().map(NicAllowed::parse).toList(), was.tap()));
        try {
            applyFirewall();
        } catch (NetworkException e) {
            plugged.put(name, was);
            throw e;
        }
    }

    /** Takes an ended VM's taps away and its policies out of the firewall. */
    public synchronized void unplug(VmDefinition def) {
        boolean any = false;
        for (int i = 0; i < def.nics().size() && i < NicNames.MAX_NICS; i++) {
            Plugged p = plugged.remove(NicNames.of(def.id(), i));
            if (p != null) {
                any = true;
                if (p.tap()) {
                    deleteQuietly(NicNames.of(def.id(), i));
                }
            }
        }
        if (any) {
            try {
                applyFirewall();
            } catch (NetworkException e) {
                LOG.warning(e.getMessage());
            }
        }
    }

    /**
     * At polydeskd's start, after the running VMs were taken back: their NICs count as plugged (their
     * taps stay), and any other tap of ours on our bridges, left by a VM that ended while polydeskd
     * was not running, is deleted.
     */
    public synchronized void reclaim(Collection<VmDefinition> running, boolean ownTaps) {
        for (VmDefinition def : running) {
            for (int i = 0; i < def.nics().size() && i < NicNames.MAX_NICS; i++) {
                Nic nic = def.nics().get(i);
                if (nic.network() != null && networks.containsKey(nic.network())) {
                    plugged.put(NicNames.of(def.id(), i), Plugged.of(nic, ownTaps));
                }
            }
        }
        if (networks.isEmpty()) {
            return;
        }
        try {
            List<String> bridges = active.values().stream().map(Network::bridge).toList();
            for (HostLinks.Link l : links.links()) {
                if (NicNames.isOurs(l.name()) && "tun".equals(l.kind()) && bridges.contains(l.master())
                        && !plugged.containsKey(l.name())) {
                    LOG.info("deleting " + l.name() + ", the tap of a VM that is no longer running");
                    deleteQuietly(l.name());
                }
            }
            applyFirewall();
        } catch (NetworkException e) {
            LOG.warning("cannot tidy the networks: " + e.getMessage());
        }
    }

    /** Ends the DHCP servers; bridges, taps and rules stay for the VMs that go on running. */
    public synchronized void close() {
        if (retries != null) {
            retries.shutdownNow();
        }
        dhcp.values().forEach(Dnsmasq::stop);
        dhcp.clear();
    }

    private List<String> pluggedInto(String network) {
        List<String> vms = new ArrayList<>();
        for (VmDefinition def : definitions.get()) {
            for (int i = 0; i < def.nics().size() && i < NicNames.MAX_NICS; i++) {
                Plugged p = plugged.get(NicNames.of(def.id(), i));
                if (p != null && p.network().equals(network) && !vms.contains(def.name())) {
                    vms.add(def.name());
                }
            }
        }
        return vms;
    }

    private Network find(String name) throws RpcException {
        Network n = name == null ? null : networks.get(name);
        if (n == null) {
            throw new RpcException(ErrorCode.NOT_FOUND, "no network named '" + name + "'"
                    + (networks.isEmpty() ? "" : " (networks: " + String.join(", ", networks.keySet()) + ")"));
        }
        return n;
    }

    private void validate(Network n, String editing) throws RpcException {
        List<Problem> out = new ArrayList<>();
        if (n == null) {
            throw RpcException.invalidParam(ToolstackApi.NetworkEdit.NETWORK, "the network's settings are missing");
        }
        if (n.name() == null || !Network.NAME_FORM.matcher(n.name()).matches()) {
            out.add(new Problem(Network.NAME, "name '" + n.name() + "' must be 1–12 of a–z, 0–9 and '-', starting with a letter"));
        }
        if (n.kind() == null) {
            out.add(new Problem(Network.KIND, "kind must be nat, isolated or bridged"));
        }
        Ipv4Net address = null;
        if (n.address() != null) {
            try {
                address = Ipv4Net.parse(n.address());
                if (address.prefix() < 8 || address.prefix() > 30) {
                    out.add(new Problem(Network.ADDRESS, "prefix length /" + address.prefix() + " must be from 8 to 30"));
                    address = null;
                } else if (address.address() == address.network() || address.address() == address.broadcast()) {
                    out.add(new Problem(Network.ADDRESS, n.address() + " is the subnet's network or broadcast address;"
                            + " give the bridge a host address, like " + Ipv4Net.dotted(address.network() + 1) + "/" + address.prefix()));
                    address = null;
                }
            } catch (IllegalArgumentException e) {
                out.add(new Problem(Network.ADDRESS, e.getMessage()));
            }
        }
        if (n.kind() == NetworkKind.NAT && n.address() == null) {
            out.add(new Problem(Network.ADDRESS, "a nat network needs the bridge's address, like 10.77.0.1/24"));
        }
        if (n.kind() == NetworkKind.ISOLATED && n.dhcpOn() && n.address() == null) {
            out.add(new Problem(Network.ADDRESS, "an isolated network with DHCP needs the bridge's address, like 10.90.0.1/24"));
        }
        if (n.kind() == NetworkKind.BRIDGED) {
            if (n.address() != null || Boolean.TRUE.equals(n.dhcp())) {
                out.add(new Problem(Network.ADDRESS, "a bridged network takes its addresses from the LAN: no address, no DHCP"));
            }
            if (n.uplink() == null || n.uplink().isBlank()) {
                out.add(new Problem(Network.UPLINK, "a bridged network needs the physical NIC to bridge, like eth1"));
            }
        } else if (n.uplink() != null) {
            out.add(new Problem(Network.UPLINK, "only a bridged network has an uplink NIC"));
        }
        if (out.isEmpty()) {
            try {
                if (address != null) {
                    String clash = clash(address, editing, links.addresses());
                    if (clash != null) {
                        out.add(new Problem(Network.ADDRESS, n.address() + " overlaps " + clash));
                    }
                }
                if (n.kind() == NetworkKind.BRIDGED) {
                    String why = uplinkProblem(n.uplink(), editing);
                    if (why != null) {
                        out.add(new Problem(Network.UPLINK, why));
                    }
                }
            } catch (NetworkException e) {
                throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
            }
        }
        if (!out.isEmpty()) {
            throw RpcException.invalid(ErrorCode.INVALID_DEFINITION, out);
        }
    }

    /**
     * What {@code net} overlaps: another network's subnet or one of the {@code host}'s own addresses
     * (read once by the caller); null if nothing.
     */
    private String clash(Ipv4Net net, String editing, List<HostLinks.Address> host) {
        for (Network other : networks.values()) {
            if (!other.name().equals(editing) && other.address() != null && Ipv4Net.parse(other.address()).overlaps(net)) {
                return "network '" + other.name() + "' (" + Ipv4Net.parse(other.address()).subnet() + ")";
            }
        }
        for (HostLinks.Address a : host) {
            boolean ours = active.values().stream().anyMatch(o -> o.bridge().equals(a.link()));
            if (!ours && !"lo".equals(a.link()) && a.net().overlaps(net)) {
                return "the host's address " + a.net() + " on " + a.link();
            }
        }
        return null;
    }

    private String uplinkProblem(String nic, String editing) throws NetworkException {
        HostLinks.Link link = links.links().stream().filter(l -> l.name().equals(nic)).findFirst().orElse(null);
        if (link == null) {
            return "the host has no interface '" + nic + "'";
        }
        String mine = editing == null ? null : Network.BRIDGE_PREFIX + editing;
        if (link.master() != null && !link.master().equals(mine)) {
            return nic + " is already a port of bridge " + link.master();
        }
        if ("bridge".equals(link.kind()) || NicNames.isOurs(nic)) {
            return nic + " is not a physical NIC";
        }
        for (HostLinks.Address a : links.addresses()) {
            if (a.link().equals(nic)) {
                return nic + " has the address " + a.net() + ": dom0 uses it itself; a bridged network needs a NIC"
                        + " left to the VMs (or NetworkManager's own bridge for dom0's uplink)";
            }
        }
        return null;
    }

    private void bringUp(Network n) throws NetworkException {
        active.put(n.name(), n); // from the first step, so that takeDown undoes whatever was made
        try {
            links.bridge(n.bridge(), n.address() == null ? null : Ipv4Net.parse(n.address()));
            if (n.kind() == NetworkKind.BRIDGED) {
                links.enslave(n.uplink(), n.bridge());
            }
            if (n.kind() == NetworkKind.NAT) {
                links.forwarding();
            }
            applyFirewall();
            if (n.dhcpOn()) {
                Dnsmasq d = new Dnsmasq(n, runDir, dnsmasqBinary,
                        why -> events.publish(NetworkEvent.Type.DHCP_RESTARTED, n.name(), why));
                d.start();
                dhcp.put(n.name(), d);
            }
            events.publish(NetworkEvent.Type.ACTIVE, n.name(), null);
        } catch (NetworkException e) {
            takeDown(n);
            throw e;
        }
    }

    /** Ends the network's dnsmasq, gives back its uplink, deletes its bridge and its rules; logs what fails. */
    private void takeDown(Network n) {
        Dnsmasq d = dhcp.remove(n.name());
        if (d != null) {
            d.stop();
        }
        try {
            if (n.kind() == NetworkKind.BRIDGED && n.uplink() != null) {
                links.release(n.uplink());
            }
            links.delete(n.bridge());
        } catch (NetworkException e) {
            LOG.warning("cannot take network '" + n.name() + "' down: " + e.getMessage());
        }
        active.remove(n.name());
        try {
            applyFirewall();
        } catch (NetworkException e) {
            LOG.warning(e.getMessage());
        }
    }

    /** Loads the rules for what is up now; a host that never had a network is left alone. */
    private void applyFirewall() throws NetworkException {
        List<Network> up = List.copyOf(active.values());
        if (up.isEmpty() && plugged.isEmpty()) {
            if (rulesLoaded) {
                Firewall.clear();
                rulesLoaded = false;
            }
            return;
        }
        Map<String, Firewall.Port> taps = new TreeMap<>();
        plugged.forEach((name, p) -> {
            Network n = active.get(p.network());
            String dom0 = n == null || n.address() == null ? null : Ipv4Net.parse(n.address()).host();
            taps.put(name, new Firewall.Port(p.policy(), p.allowed(), dom0));
        });
        List<String> ourBridges = up.stream().map(Network::bridge).toList();
        List<String> uplinks = links.addresses().stream()
                .filter(a -> !"lo".equals(a.link()) && !ourBridges.contains(a.link()))
                .map(a -> a.net().subnet()).distinct().toList();
        Firewall.apply(Firewall.ruleset(up, taps, uplinks));
        rulesLoaded = true;
    }

    private void deleteQuietly(String link) {
        try {
            links.delete(link);
        } catch (NetworkException e) {
            LOG.warning(e.getMessage());
        }
    }
}
