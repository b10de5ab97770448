package org.polydesk.toolstack.network;

import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.Uplink;
import org.polydesk.toolstack.backend.NicNames;

/**
 * dom0's uplink, read from NetworkManager through {@code nmcli}'s terse output (NetworkManager owns
 * it; polydeskd only shows it). Our own bridges and taps, and the loopback, are left out.
 */
public final class UplinkReader {
    private final String nmcli;

    /** {@code nmcli}: the command (a path in tests). */
    public UplinkReader(String nmcli) {
        this.nmcli = nmcli;
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
