package org.polydesk.toolstack.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkKind;
import org.polydesk.protocol.vm.NicAllowed;
import org.polydesk.protocol.vm.NicPolicy;
import java.util.stream.Stream;

/** The rule set's text, and nft's own check of it in a network namespace of the test's (unshare -n). */
class FirewallTest {
    private static final List<Network> NETWORKS = List.of(
            new Network("default", NetworkKind.NAT, "10.77.0.1/24", null, null),
            new Network("lab", NetworkKind.ISOLATED, "10.88.0.1/24", true, null));
    private static final Map<String, Firewall.Port> TAPS = Map.of("pv0b5f8a10", Firewall.Port.of(NicPolicy.OFFLINE),
            "pv1c2d3e40", Firewall.Port.of(NicPolicy.INTERNET_ONLY), "pv2a2a2a20", Firewall.Port.of(NicPolicy.OPEN),
            "pv3f3f3f30", new Firewall.Port(NicPolicy.ALLOWED, Stream.of("192.168.1.10:443/tcp", "10.20.0.0/16",
                    "198.51.100.7:53").map(NicAllowed::parse).toList(), "10.77.0.1"));

    @TempDir
    Path tmp;

    @Test
    void eachPolicyIsKeyedByTheTapAndEachNetworkKindGetsItsRules() {
        String rules = Firewall.ruleset(NETWORKS, TAPS, List.of("203.0.113.0/24"));
        for (String line : List.of(
                // Each tap's rule holds for its Xen -emu twin (an HVM guest's emulated NIC) too.
                "iifname { \"pv0b5f8a10\", \"pv0b5f8a10-emu\" } drop",
                "oifname { \"pv0b5f8a10\", \"pv0b5f8a10-emu\" } drop",
                "iifname { \"pv1c2d3e40\", \"pv1c2d3e40-emu\" } meta mark set 0x70640001",
                "meta mark 0x70640001 ip daddr @lan drop",
                "meta mark 0x70640001 udp dport { 53, 67 } accept",
                "ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/24 masquerade",
                "oifname \"pd-default\" ct state established,related accept",
                "iifname \"pd-lab\" drop",
                "iifname \"pd-lab\" oifname \"pd-lab\" accept",
                "elements = { 10.0.0.0/8, 100.64.0.0/10, 169.254.0.0/16, 172.16.0.0/12, 192.168.0.0/16, 203.0.113.0/24 }")) {
            assertTrue(rules.contains(line), "missing: " + line + "\n" + rules);
        }
        assertTrue(!rules.contains("pv2a2a2a20"), "an open tap needs no rule");
        // An allowed-list tap: ARP, DHCP, DNS to dom0 and its list, then nothing, in this order.
        String allowed = "iifname { \"pv3f3f3f30\", \"pv3f3f3f30-emu\" } ";
        int at = -1;
        for (String rule : List.of("ether type arp accept", "udp sport 68 udp dport 67 accept",
                "ip daddr 10.77.0.1 meta l4proto { tcp, udp } th dport 53 accept", "ip daddr 192.168.1.10 tcp dport 443 accept",
                "ip daddr 10.20.0.0/16 accept", "ip daddr 198.51.100.7 meta l4proto { tcp, udp } th dport 53 accept", "drop")) {
            int next = rules.indexOf(allowed + rule);
            assertTrue(next > at, "missing or out of order: " + allowed + rule + "\n" + rules);
            at = next;
        }
        assertFalse(rules.contains("oifname { \"pv3f3f3f30\""), "what reaches an allowed-list VM is not cut off (replies)");
        assertTrue(rules.startsWith("table inet polydesk\ndelete table inet polydesk\n"),
                "the tables are replaced whole, in one transaction");
    }

    @Test
    void nftAcceptsTheRuleSet() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "nft's check needs root (in a namespace of its own)");
        Path file = tmp.resolve("rules.nft");
        Files.writeString(file, Firewall.ruleset(NETWORKS, TAPS, List.of()));
        // In a fresh network namespace: the load is real, and nothing of the host's is touched.
        Process p = new ProcessBuilder("unshare", "-n", "nft", "-f", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }
}
