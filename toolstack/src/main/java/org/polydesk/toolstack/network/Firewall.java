package org.polydesk.toolstack.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkKind;
import org.polydesk.protocol.vm.NicAllowed;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.toolstack.backend.NicNames;

/**
 * polydeskd's nftables rules: two tables of its own ({@code inet polydesk}, {@code bridge polydesk}),
 * always replaced whole in one transaction, never touching any other table. Each VM's policy is keyed
 * by its tap or vif (a guest cannot change it by changing its MAC or IP):
 * <ul>
 * <li>{@code offline}: every frame from or to the tap is dropped at the bridge;
 * <li>{@code internet-only}: frames from the tap are marked at the bridge; the mark stops them at
 *     every other VM's port, at dom0 except DHCP and DNS, and towards private, link-local and the
 *     uplink's own subnets.
 * <li>{@code allowed}: at the bridge, frames from the tap pass only as ARP, DHCP, DNS to dom0 and
 *     IPv4 to the destinations of its allowed list; everything else it sends is dropped.
 * </ul>
 * A rule for a tap matches its Xen {@code -emu} twin too: an HVM guest's emulated NIC sends through
 * that tap, its PV driver through the vif.
 * A {@code nat} network's subnet is masqueraded on the way out, and nothing from outside opens a
 * connection into it; an {@code isolated} network forwards nothing to or from its bridge.
 */
final class Firewall {
    static final String TABLE = "polydesk";
    /** Set on the frames of internet-only taps at the bridge, read by the inet table. */
    static final String INTERNET_ONLY_MARK = "0x70640001";
    /** Where "the LAN" is whatever the uplink is: never reachable from an internet-only VM. */
    static final List<String> PRIVATE = List.of("10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12",
            "192.168.0.0/16");

    private Firewall() {
    }

    /** A running VM's NIC as the rules see it: its policy, what policy allowed lets it reach, dom0's address on its network. */
    record Port(NicPolicy policy, List<NicAllowed> allowed, String dom0Address) {
        static Port of(NicPolicy policy) {
            return new Port(policy, List.of(), null);
        }
    }

    /**
     * The whole rule set for the networks that are up, the taps (or vifs) of running VMs with their
     * policy, and the subnets of dom0's own addresses outside our bridges ({@code uplinkSubnets}).
     */
    static String ruleset(List<Network> networks, Map<String, Port> taps, List<String> uplinkSubnets) {
        Map<String, Port> sorted = new TreeMap<>(taps);
        List<String> out = new ArrayList<>();
        // Creating and deleting first makes the load work whether or not the tables exist.
        out.add("table inet " + TABLE);
        out.add("delete table inet " + TABLE);
        out.add("table bridge " + TABLE);
        out.add("delete table bridge " + TABLE);

        out.add("table inet " + TABLE + " {");
        List<String> lan = new ArrayList<>(PRIVATE);
        uplinkSubnets.stream().filter(s -> !lan.contains(s)).forEach(lan::add);
        out.add("    set lan { type ipv4_addr; flags interval; auto-merge; elements = { " + String.join(", ", lan) + " } }");
        out.add("    chain input {");
        out.add("        type filter hook input priority filter; policy accept;");
        out.add("        meta mark " + INTERNET_ONLY_MARK + " udp dport { 53, 67 } accept");
        out.add("        meta mark " + INTERNET_ONLY_MARK + " tcp dport 53 accept");
        out.add("        meta mark " + INTERNET_ONLY_MARK + " drop");
        for (Network n : networks) {
            if (n.kind() == NetworkKind.ISOLATED) {
                out.add("        iifname " + q(n.bridge()) + " udp dport { 53, 67 } accept");
                out.add("        iifname " + q(n.bridge()) + " tcp dport 53 accept");
                out.add("        iifname " + q(n.bridge()) + " drop");
            }
        }
        out.add("    }");
        out.add("    chain forward {");
        out.add("        type filter hook forward priority filter; policy accept;");
        out.add("        meta mark " + INTERNET_ONLY_MARK + " ip daddr @lan drop");
        // Where br_netfilter is loaded, frames between two ports of a bridge pass here too (in and out
        // the bridge): VM to VM on one network is the bridge's business, policed in the bridge table.
        for (Network n : networks) {
            out.add("        iifname " + q(n.bridge()) + " oifname " + q(n.bridge()) + " accept");
        }
        for (Network n : networks) {
            switch (n.kind()) {
                case ISOLATED -> {
                    out.add("        iifname " + q(n.bridge()) + " drop");
                    out.add("        oifname " + q(n.bridge()) + " drop");
                }
                case NAT -> {
                    out.add("        oifname " + q(n.bridge()) + " ct state established,related accept");
                    out.add("        oifname " + q(n.bridge()) + " drop");
                }
                case BRIDGED -> { }
            }
        }
        out.add("    }");
        out.add("    chain postrouting {");
        out.add("        type nat hook postrouting priority srcnat; policy accept;");
        for (Network n : networks) {
            if (n.kind() == NetworkKind.NAT) {
                String subnet = Ipv4Net.parse(n.address()).subnet();
                out.add("        ip saddr " + subnet + " ip daddr != " + subnet + " masquerade");
            }
        }
        out.add("    }");
        out.add("}");

        out.add("table bridge " + TABLE + " {");
        out.add("    chain prerouting {");
        out.add("        type filter hook prerouting priority filter; policy accept;");
        sorted.forEach((tap, port) -> {
            switch (port.policy()) {
                case OFFLINE -> out.add("        iifname " + sides(tap) + " drop");
                case INTERNET_ONLY -> out.add("        iifname " + sides(tap) + " meta mark set " + INTERNET_ONLY_MARK);
                case ALLOWED -> allowedOnly(out, sides(tap), port);
                case OPEN -> { }
            }
        });
        out.add("    }");
        out.add("    chain forward {");
        out.add("        type filter hook forward priority filter; policy accept;");
        // Other VMs' frames to an allowed-list VM pass: its list limits what it reaches, and replies come this way.
        sorted.forEach((tap, port) -> {
            if (port.policy() == NicPolicy.OFFLINE || port.policy() == NicPolicy.INTERNET_ONLY) {
                out.add("        iifname " + sides(tap) + " drop");
                out.add("        oifname " + sides(tap) + " drop");
            }
        });
        out.add("    }");
        out.add("    chain output {");
        out.add("        type filter hook output priority filter; policy accept;");
        sorted.forEach((tap, port) -> {
            if (port.policy() == NicPolicy.OFFLINE) {
                out.add("        oifname " + sides(tap) + " drop");
            }
        });
        out.add("    }");
        out.add("}");
        return String.join("\n", out) + "\n";
    }

    /** Policy allowed: what the tap sends passes only to its list (and ARP, DHCP, DNS to dom0). */
    private static void allowedOnly(List<String> out, String from, Port port) {
        String rule = "        iifname " + from + " ";
        out.add(rule + "ether type arp accept");
        out.add(rule + "udp sport 68 udp dport 67 accept");
        if (port.dom0Address() != null) {
            out.add(rule + "ip daddr " + port.dom0Address() + " meta l4proto { tcp, udp } th dport 53 accept");
        }
        for (NicAllowed a : port.allowed()) {
            String to = "ip daddr " + a.destination();
            if (a.port() != null) {
                to += a.protocol() == null ? " meta l4proto { tcp, udp } th dport " + a.port() : " " + a.protocol() + " dport " + a.port();
            }
            out.add(rule + to + " accept");
        }
        out.add(rule + "drop");
    }

    /** Loads {@link #ruleset} in one nft transaction: all of it or, on an error, none of it. */
    static void apply(String ruleset) throws NetworkException {
        HostCommand.check("cannot load polydeskd's firewall rules", List.of("nft", "-f", "-"), ruleset);
    }

    /** Takes polydeskd's tables away (no network is up). */
    /** Whether either of our tables is loaded (read only: the host's tables are not changed). */
    static boolean loaded() throws NetworkException {
        String tables = HostCommand.check("cannot list the nft tables", List.of("nft", "list", "tables"), "");
        return tables.lines().anyMatch(l -> l.strip().equals("table inet " + TABLE) || l.strip().equals("table bridge " + TABLE));
    }

    static void clear() throws NetworkException {
        HostCommand.check("cannot remove polydeskd's firewall rules", List.of("nft", "-f", "-"),
                "table inet " + TABLE + "\ndelete table inet " + TABLE + "\ntable bridge " + TABLE
                        + "\ndelete table bridge " + TABLE + "\n");
    }

    /** The set of a NIC's host interfaces ({@link NicNames#sides}). */
    private static String sides(String tap) {
        return "{ " + String.join(", ", NicNames.sides(tap).stream().map(Firewall::q).toList()) + " }";
    }

    private static String q(String name) {
        return "\"" + name + "\"";
    }
}
