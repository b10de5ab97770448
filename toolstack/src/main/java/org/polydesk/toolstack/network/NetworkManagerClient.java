package org.polydesk.toolstack.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.Uplink;
import org.polydesk.protocol.network.WifiNetwork;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.toolstack.definition.AtomicFile;
import org.polydesk.toolstack.backend.NicNames;

/**
 * dom0's uplink through NetworkManager, which owns it: read from {@code nmcli}'s terse output (our
 * own bridges and taps, and the loopback, left out), Wi-Fi scanned, and joined. A Wi-Fi network is
 * joined with a connection file of ours ({@code polydesk-wifi-SSID.nmconnection}, root only, written
 * atomically) that nmcli loads and brings up: the passphrase is never on a command line. A join
 * that fails takes its connection away again.
 */
public final class NetworkManagerClient {
    /** How long a join may take: association, the 4-way handshake and DHCP. */
    static final int CONNECT_SECONDS = 90;
    private static final String FILE_PREFIX = "polydesk-wifi-";

    private final String nmcli;
    private final Path connections;

    /**
     * {@code nmcli}: the command (a path in tests); {@code connections}: NetworkManager's keyfile
     * directory ({@code /etc/NetworkManager/system-connections}).
     */
    public NetworkManagerClient(String nmcli, Path connections) {
        this.nmcli = nmcli;
        this.connections = connections;
    }

    public Uplink read() {
        String state;
        try {
            HostCommand.Result general = HostCommand.run(List.of(nmcli, "-t", "-f", "RUNNING,STATE", "general"), null);
            if (!general.ok()) {
                return new Uplink(false, null, "NetworkManager does not answer: " + general.output(), List.of());
            }
            List<String> f = fields(general.output().lines().findFirst().orElse(""));
            state = f.size() > 1 ? f.get(1) : "unknown";
        } catch (NetworkException e) {
            return new Uplink(false, null, "NetworkManager is not there (" + e.getMessage() + ")", List.of());
        }
        List<Uplink.Device> devices = new ArrayList<>();
        try {
            String status = HostCommand.check("cannot list NetworkManager's devices",
                    List.of(nmcli, "-t", "-f", "DEVICE,TYPE,STATE,CONNECTION", "device", "status"));
            for (String line : status.lines().toList()) {
                List<String> f = fields(line);
                if (f.size() < 4 || ours(f.get(0)) || "loopback".equals(f.get(1))) {
                    continue;
                }
                List<String> ipv4 = List.of();
                if (f.get(2).startsWith("connected")) {
                    String shown = HostCommand.check("cannot read " + f.get(0) + "'s addresses",
                            List.of(nmcli, "-t", "-g", "IP4.ADDRESS", "device", "show", f.get(0)));
                    ipv4 = shown.isBlank() ? List.of() : List.of(shown.strip().split("\\s*\\|\\s*"));
                }
                devices.add(new Uplink.Device(f.get(0), f.get(1), f.get(2), f.get(3).isEmpty() ? null : f.get(3), ipv4));
            }
        } catch (NetworkException e) {
            return new Uplink(true, state, e.getMessage(), devices);
        }
        return new Uplink(true, state, null, devices);
    }

    /** What dom0's Wi-Fi radios see, strongest first, one entry per SSID (hidden ones left out). */
    public List<WifiNetwork> scan() throws RpcException {
        wifiDevice();
        String listed;
        try {
            listed = HostCommand.check("NetworkManager cannot scan for Wi-Fi networks",
                    List.of(nmcli, "-t", "-f", "IN-USE,SSID,SIGNAL,SECURITY", "device", "wifi", "list", "--rescan", "yes"));
        } catch (NetworkException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
        Map<String, WifiNetwork> bySsid = new LinkedHashMap<>();
        for (String line : listed.lines().toList()) {
            List<String> f = fields(line);
            if (f.size() < 4 || f.get(1).isEmpty()) {
                continue;
            }
            int signal;
            try {
                signal = Integer.parseInt(f.get(2).strip());
            } catch (NumberFormatException e) {
                continue;
            }
            WifiNetwork seen = new WifiNetwork(f.get(1), signal, f.get(3).strip(), "*".equals(f.get(0).strip()));
            bySsid.merge(seen.ssid(), seen, (a, b) -> new WifiNetwork(a.ssid(), Math.max(a.signal(), b.signal()),
                    a.security().isEmpty() ? b.security() : a.security(), a.inUse() || b.inUse()));
        }
        List<WifiNetwork> out = new ArrayList<>(bySsid.values());
        out.sort(Comparator.comparingInt(WifiNetwork::signal).reversed());
        return out;
    }

    /** Joins {@code ssid} (with {@code password} unless it is open); answers the uplink once connected. */
    public Uplink connect(String ssid, String password) throws RpcException {
        if (ssid == null || !WifiNetwork.SSID_FORM.matcher(ssid).matches()) {
            throw RpcException.invalidParam(ToolstackApi.WifiConnect.SSID, "the SSID must be 1–32 printable characters"
                    + " without '\\' or ';'");
        }
        if (password != null && !WifiNetwork.PASSPHRASE_FORM.matcher(password).matches()) {
            throw RpcException.invalidParam(ToolstackApi.WifiConnect.PASSWORD, "a WPA passphrase is 8–63 printable characters");
        }
        List<WifiNetwork> inRange = scan();
        WifiNetwork target = inRange.stream().filter(w -> w.ssid().equals(ssid)).findFirst().orElseThrow(() ->
                new RpcException(ErrorCode.NOT_FOUND, "no Wi-Fi network '" + ssid + "' in range" + (inRange.isEmpty() ? ""
                        : " (in range: " + String.join(", ", inRange.stream().map(WifiNetwork::ssid).toList()) + ")")));
        boolean secured = !target.security().isEmpty();
        if (secured && password == null) {
            throw RpcException.invalidParam(ToolstackApi.WifiConnect.PASSWORD, "'" + ssid + "' is secured ("
                    + target.security() + "): its passphrase is needed");
        }
        Path file = connections.resolve(FILE_PREFIX + ssid.replaceAll("[^A-Za-z0-9._-]", "_") + ".nmconnection");
        String uuid = UUID.randomUUID().toString();
        try {
            AtomicFile.writePrivate(file, keyfile(ssid, uuid, secured ? password : null).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot write " + file + ": " + e.getMessage());
        }
        try {
            HostCommand.check("NetworkManager cannot load " + file, List.of(nmcli, "connection", "load", file.toString()));
            HostCommand.Result up = HostCommand.run(List.of(nmcli, "-w", String.valueOf(CONNECT_SECONDS), "connection", "up",
                    "uuid", uuid), null);
            if (!up.ok()) {
                throw new NetworkException("cannot join '" + ssid + "': " + joinFailure(up.output()));
            }
            // Written with autoconnect off, so that loading it does not start a join of its own beside ours.
            HostCommand.check("NetworkManager cannot keep " + ssid + " for the next start",
                    List.of(nmcli, "connection", "modify", "uuid", uuid, "connection.autoconnect", "yes"));
        } catch (NetworkException e) {
            forget(file, uuid);
            throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
        return read();
    }

    /** The first Wi-Fi device NetworkManager has; none, or no NetworkManager, is said as such. */
    private Uplink.Device wifiDevice() throws RpcException {
        Uplink u = read();
        if (!u.managed()) {
            throw new RpcException(ErrorCode.SERVICE_UNAVAILABLE, u.problem());
        }
        return u.devices().stream().filter(d -> "wifi".equals(d.type())).findFirst().orElseThrow(() ->
                new RpcException(ErrorCode.SERVICE_UNAVAILABLE, "dom0 has no Wi-Fi device that NetworkManager manages"
                        + " (a radio without its firmware does not show)"));
    }

    private void forget(Path file, String uuid) {
        try {
            HostCommand.run(List.of(nmcli, "connection", "delete", "uuid", uuid), null);
            Files.deleteIfExists(file);
        } catch (NetworkException | IOException e) {
            java.util.logging.Logger.getLogger(NetworkManagerClient.class.getName())
                    .warning("cannot take away " + file + ": " + e.getMessage());
        }
    }

    /** What a person needs of nmcli's failure: its first line, and a refused passphrase said as such. */
    static String joinFailure(String nmcliOutput) {
        String first = nmcliOutput.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("no reason given");
        if (nmcliOutput.contains("Secrets were required") || nmcliOutput.contains("no secrets")) {
            return "the passphrase was not accepted (" + first + ")";
        }
        return first;
    }

    /** NetworkManager's keyfile of a Wi-Fi connection (DHCP for IPv4, auto for IPv6), autoconnect off until joined. */
    static String keyfile(String ssid, String uuid, String psk) {
        StringBuilder k = new StringBuilder();
        k.append("[connection]\nid=").append(ssid).append("\nuuid=").append(uuid).append("\ntype=wifi\nautoconnect=false\n\n");
        k.append("[wifi]\nmode=infrastructure\nssid=").append(ssid).append("\n\n");
        if (psk != null) {
            k.append("[wifi-security]\nkey-mgmt=wpa-psk\npsk=").append(psk).append("\n\n");
        }
        k.append("[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=auto\n");
        return k.toString();
    }

    /** polydeskd's bridges and the VMs' interfaces (tap, vif and its -emu twin). */
    private static boolean ours(String device) {
        String base = device.endsWith(NicNames.EMULATED_SUFFIX)
                ? device.substring(0, device.length() - NicNames.EMULATED_SUFFIX.length()) : device;
        return device.startsWith(Network.BRIDGE_PREFIX) || NicNames.isOurs(base);
    }

    /** nmcli -t: fields split at ':', where '\:' is a colon and '\\' a backslash inside a field. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                f.append(line.charAt(++i));
            } else if (c == ':') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }
}
