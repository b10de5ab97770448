package org.polydesk.toolstack.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.rpc.Json;

/**
 * The host's network interfaces as iproute2 shows and changes them: bridges, the VMs' taps, the
 * addresses in use (for the overlap check) and IPv4 forwarding. Everything happens in the network
 * namespace polydeskd runs in.
 */
final class HostLinks {
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

    /** An interface: its name, the bridge it is a port of (or null), its kind ("bridge", "tun", or null). */
    record Link(String name, String master, String kind) {
    }

    /** An IPv4 address on an interface. */
    record Address(String link, Ipv4Net net) {
    }

    List<Link> links() throws NetworkException {
        List<Link> out = new ArrayList<>();
        for (JsonNode l : json("list the network interfaces", List.of("ip", "-j", "-d", "link", "show"))) {
            out.add(new Link(l.path("ifname").asText(), l.path("master").asText(null),
                    l.path("linkinfo").path("info_kind").asText(null)));
        }
        return out;
    }

    List<Address> addresses() throws NetworkException {
        List<Address> out = new ArrayList<>();
        for (JsonNode l : json("list the addresses", List.of("ip", "-j", "-4", "addr", "show"))) {
            for (JsonNode a : l.path("addr_info")) {
                if ("inet".equals(a.path("family").asText())) {
                    out.add(new Address(l.path("ifname").asText(),
                            Ipv4Net.parse(a.path("local").asText() + "/" + a.path("prefixlen").asInt())));
                }
            }
        }
        return out;
    }

    boolean exists(String name) {
        return Files.exists(Path.of("/sys/class/net", name));
    }

    /** Makes the bridge if it is not there, gives it exactly {@code address} (or none), and sets it up. */
    void bridge(String name, Ipv4Net address) throws NetworkException {
        if (!exists(name)) {
            HostCommand.check("cannot make bridge " + name, List.of("ip", "link", "add", "name", name, "type", "bridge"));
        }
        HostCommand.check("cannot clear the addresses of " + name, List.of("ip", "-4", "addr", "flush", "dev", name));
        if (address != null) {
            HostCommand.check("cannot give " + name + " the address " + address,
                    List.of("ip", "addr", "add", address.toString(), "dev", name));
        }
        HostCommand.check("cannot set " + name + " up", List.of("ip", "link", "set", name, "up"));
    }

    /** Makes a VM's tap on {@code bridge}, its link up or down. */
    void tap(String tap, String bridge, boolean up) throws NetworkException {
        if (exists(tap)) {
            delete(tap); // left by a VM that ended while polydeskd was not running
        }
        HostCommand.check("cannot make tap " + tap, List.of("ip", "tuntap", "add", "dev", tap, "mode", "tap"));
        try {
            HostCommand.check("cannot put " + tap + " on " + bridge, List.of("ip", "link", "set", tap, "master", bridge));
            link(tap, up);
        } catch (NetworkException e) {
            delete(tap);
            throw e;
        }
    }

    /** A physical NIC becomes a port of {@code bridge} (a bridged network). */
    void enslave(String nic, String bridge) throws NetworkException {
        HostCommand.check("cannot put " + nic + " on " + bridge, List.of("ip", "link", "set", nic, "master", bridge));
        link(nic, true);
    }

    void release(String nic) throws NetworkException {
        if (exists(nic)) {
            HostCommand.check("cannot take " + nic + " off its bridge", List.of("ip", "link", "set", nic, "nomaster"));
        }
    }

    void link(String name, boolean up) throws NetworkException {
        HostCommand.check("cannot set " + name + (up ? " up" : " down"), List.of("ip", "link", "set", name, up ? "up" : "down"));
    }

    /** Deletes an interface; one that is already gone is fine. */
    void delete(String name) throws NetworkException {
        if (exists(name)) {
            HostCommand.Result r = HostCommand.run(List.of("ip", "link", "del", name), null);
            if (!r.ok() && exists(name)) {
                throw new NetworkException("cannot delete " + name + ": " + r.output());
            }
        }
    }

    void forwarding() throws NetworkException {
        try {
            if (!"1".equals(Files.readString(IP_FORWARD).strip())) {
                Files.writeString(IP_FORWARD, "1\n");
            }
        } catch (IOException e) {
            throw new NetworkException("cannot turn on IPv4 forwarding (" + IP_FORWARD + "): " + e.getMessage(), e);
        }
    }

    private static JsonNode json(String what, List<String> command) throws NetworkException {
        try {
            return Json.mapper().readTree(HostCommand.check("cannot " + what, command));
        } catch (IOException e) {
            throw new NetworkException("cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
