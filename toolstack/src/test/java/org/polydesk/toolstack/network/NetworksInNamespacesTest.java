package org.polydesk.toolstack.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.backend.NicNames;
import org.polydesk.toolstack.cli.PolyctlRunner;

/**
 * polydeskd's networks, end to end, with everything inside three network namespaces this test makes
 * and deletes: "dom0" (polydeskd, its bridges, taps, dnsmasq and nft tables, and the test guests),
 * "lan" (dom0's uplink 192.168.50.2 comes from there; a LAN host at 192.168.50.1 serves a page and
 * routes on to the internet) and "internet" (a server at 198.51.100.1). No traffic leaves them and
 * the machine's own interfaces and nft tables are only read, before and after, to show they did not
 * change. Each guest reports, on its serial console, its DHCP lease and what it could reach.
 */
class NetworksInNamespacesTest {
    private static final Pattern LEASE = Pattern.compile("POLYDESK-NET LEASE (\\d+\\.\\d+\\.\\d+\\.\\d+)");
    private static final String INTERNET = "http://198.51.100.1:8080/";
    private static final String LAN = "http://192.168.50.1:8080/";
    private static final String OFFICE_HOST = "192.168.60.1";
    private static final String OFFICE = "http://" + OFFICE_HOST + ":8080/";

    @TempDir
    Path tmp;
    private final NamespaceWorld world = new NamespaceWorld();
    private final String dom0 = world.dom0;
    private PolydeskdProcess polydeskd;
    private PolyctlRunner polyctl;

    @AfterEach
    void cleanUp() throws Exception {
        world.close();
    }

    @Test
    void guestsOnNatIsolatedAndPolicedNicsReachWhatTheirNetworkAndPolicyAllow() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "the test makes network namespaces, which needs root");
        String hostLinksBefore = run("ip", "-o", "link", "show").replaceAll("\\d+: ", "");
        String hostTablesBefore = run("nft", "list", "tables");
        makeNamespaces();

        polydeskd = world.startPolydeskdInDom0(tmp);
        polyctl = new PolyctlRunner(polydeskd.socket());
        assertEquals(0, polyctl.json("network", "list").size(), "a developer's polydeskd makes no network by itself");

        JsonNode made = polyctl.json("network", "create", "default", "--address", "10.77.0.1/24");
        assertTrue(made.path("active").asBoolean(), made.toString());
        assertEquals("pd-default", made.path("bridge").asText());
        assertTrue(polyctl.json("network", "create", "iso", "--kind", "isolated", "--address", "10.88.0.1/24", "--dhcp")
                .path("active").asBoolean());

        // Subnets that clash are refused naming the clash, and nothing is left of them.
        PolyctlRunner.Run clash = polyctl.run("network", "create", "clash", "--address", "10.77.128.1/16");
        assertNotEquals(0, clash.exit());
        assertTrue(clash.err().contains("overlaps network 'default'"), clash.err());
        PolyctlRunner.Run uplink = polyctl.run("network", "create", "clash", "--address", "192.168.50.9/24");
        assertTrue(uplink.err().contains("overlaps the host's address 192.168.50.2/24 on up0"), uplink.err());
        assertFalse(inDom0("ip", "-o", "link", "show").contains("pd-clash"), "no bridge is left of a refused network");

        // A: open on default. Its lease is what the others are told to ping.
        UUID a = vm("a", "default", "get:" + INTERNET + ",get:" + LAN);
        String aIp = lease(a);
        assertTrue(aIp.startsWith("10.77.0."), aIp);
        UUID b = vm("b", "default", "ping:" + aIp + ",get:" + INTERNET);
        UUID off = vm("off", "default,policy=offline", "ping:" + aIp + ",get:" + INTERNET, "10.77.0.250/24");
        UUID only = vm("only", "default,policy=internet-only", "get:" + INTERNET + ",get:" + LAN + ",ping:" + aIp);
        UUID allowed = vm("allowed", "default,policy=allowed,allow=192.168.50.1:8080/tcp",
                "get:" + LAN + ",get:" + INTERNET + ",ping:" + aIp);
        // bridged: the guest sits on the office segment itself (no DHCP there: an address by hand).
        assertTrue(polyctl.json("network", "create", "office", "--kind", "bridged", "--uplink", "lan1").path("active").asBoolean());
        assertTrue(inDom0("ip", "-o", "link", "show", "lan1").contains("master pd-office"), "lan1 is a port of pd-office");
        UUID onLan = vm("onlan", "office", "get:" + OFFICE, "192.168.60.50/24");
        PolyctlRunner.Run bridgedOnly = polyctl.run("vm", "nic", "onlan", "--policy", "internet-only");
        assertTrue(bridgedOnly.err().contains("internet-only on bridged network 'office'"), bridgedOnly.err());
        UUID e = vm("e", "iso", "get:" + INTERNET);
        String eIp = lease(e);
        assertTrue(eIp.startsWith("10.88.0."), eIp);
        UUID f = vm("f", "iso", "ping:" + eIp + ",get:" + INTERNET);

        Map<String, String> seenA = checks(a);
        assertEquals("ok internet", seenA.get("get:" + INTERNET), "an open guest on a nat network reaches the internet");
        assertEquals("ok lan", seenA.get("get:" + LAN), "and the LAN");
        Map<String, String> seenB = checks(b);
        assertEquals("ok", seenB.get("ping:" + aIp), "two guests on default reach each other");
        assertEquals("ok internet", seenB.get("get:" + INTERNET));
        String bIp = lease(b);
        assertTrue(bIp.startsWith("10.77.0."));

        // Live: b's cable pulled and plugged back, then its policy offline and open again; dom0's own
        // ping to it shows what passes, and its stored definition keeps what was set last.
        awaitPing(bIp, true);
        assertEquals(0, polyctl.run("vm", "nic", "b", "offline").exit());
        assertTrue(inDom0("ip", "-o", "link", "show", tapOf(b)).contains("state DOWN"));
        awaitPing(bIp, false);
        assertEquals(0, polyctl.run("vm", "nic", "b", "online").exit());
        awaitPing(bIp, true);
        assertEquals(0, polyctl.run("vm", "nic", "b", "--policy", "offline").exit());
        awaitPing(bIp, false);
        assertEquals("offline", polyctl.json("vm", "show", "b").at("/definition/nics/0/policy").asText());
        assertEquals(0, polyctl.run("vm", "nic", "b", "--policy", "open").exit());
        awaitPing(bIp, true);
        assertEquals("open", polyctl.json("vm", "show", "b").at("/definition/nics/0/policy").asText());
        PolyctlRunner.Run noSuchNic = polyctl.run("vm", "nic", "b", "offline", "--nic", "3");
        assertTrue(noSuchNic.err().contains("'b' has no network interface 3"), noSuchNic.err());

        Map<String, String> seenOff = checks(off);
        assertTrue(console(off).contains("POLYDESK-NET NOLEASE"), "an offline guest gets no lease: " + console(off));
        assertEquals("fail", seenOff.get("ping:" + aIp), "an offline guest reaches no other guest");
        assertEquals("fail", seenOff.get("get:" + INTERNET), "nor the internet");

        Map<String, String> seenOnly = checks(only);
        assertTrue(lease(only).startsWith("10.77.0."), "an internet-only guest gets its lease (DHCP is allowed)");
        assertEquals("ok internet", seenOnly.get("get:" + INTERNET), "an internet-only guest reaches the internet");
        assertEquals("fail", seenOnly.get("get:" + LAN), "but not the LAN");
        assertEquals("fail", seenOnly.get("ping:" + aIp), "nor the other guests");

        Map<String, String> seenAllowed = checks(allowed);
        assertTrue(lease(allowed).startsWith("10.77.0."), "an allowed-list guest gets its lease (DHCP is allowed)");
        assertEquals("ok lan", seenAllowed.get("get:" + LAN), "an allowed-list guest reaches what its list names");
        assertEquals("fail", seenAllowed.get("get:" + INTERNET), "and not the internet");
        assertEquals("fail", seenAllowed.get("ping:" + aIp), "nor the other guests");

        assertEquals("ok office", checks(onLan).get("get:" + OFFICE), "a guest on a bridged network is on that LAN");

        Map<String, String> seenF = checks(f);
        assertTrue(lease(f).startsWith("10.88.0."));
        assertEquals("ok", seenF.get("ping:" + eIp), "guests on an isolated network reach each other");
        assertEquals("fail", seenF.get("get:" + INTERNET), "and nothing else");
        assertEquals("fail", checks(e).get("get:" + INTERNET));

        // The policy follows the tap: the offline guest taking another address changes nothing (it
        // already took 10.77.0.250 by hand), and its tap is named after it in polydeskd's rules.
        String rules = inDom0("nft", "list", "table", "bridge", "polydesk");
        String offTap = tapOf(off);
        assertTrue(rules.contains("iifname { \"" + offTap + "\", \"" + offTap + "-emu\" } drop"), rules);

        // dom0's uplink lost: VM to VM goes on (a guest started now gets its lease and reaches a), the
        // internet does not.
        inDom0("ip", "link", "set", "up0", "down");
        UUID cut = vm("cut", "default", "ping:" + aIp + ",get:" + INTERNET);
        assertTrue(lease(cut).startsWith("10.77.0."), "a lease without the uplink");
        Map<String, String> seenCut = checks(cut);
        assertEquals("ok", seenCut.get("ping:" + aIp), "VM to VM works without the uplink");
        assertEquals("fail", seenCut.get("get:" + INTERNET), "the internet does not");

        // A network in use is not deleted; the refusal names its VMs.
        PolyctlRunner.Run inUse = polyctl.run("network", "delete", "iso");
        assertNotEquals(0, inUse.exit());
        assertTrue(inUse.err().contains("in use by e, f"), inUse.err());

        // dnsmasq that dies is started again.
        long pid = Long.parseLong(run("ip", "netns", "exec", dom0, "pgrep", "-f", "interface=pd-default").lines()
                .findFirst().orElseThrow().strip());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String again = "";
        while (System.nanoTime() < deadline) {
            again = run("ip", "netns", "exec", dom0, "pgrep", "-f", "interface=pd-default").strip();
            if (!again.isEmpty() && !again.equals(Long.toString(pid))) {
                break;
            }
            Thread.sleep(200);
        }
        assertFalse(again.isEmpty() || again.equals(Long.toString(pid)), "a new dnsmasq serves default");

        // polydeskd killed as a crash would: its VMs and its dnsmasq go on. While it is gone 'cut'
        // ends and a network half made leaves its bridge. The next polydeskd takes back the VMs that
        // run, with their taps and rules; deletes cut's tap and the stray bridge; and serves DHCP
        // with one dnsmasq, not two fighting for the port.
        long cutPid = polyctl.json("vm", "show", "cut").path("pid").asLong();
        assertTrue(cutPid > 0, "cut's QEMU pid");
        polydeskd.kill();
        ProcessHandle cutQemu = ProcessHandle.of(cutPid).orElseThrow();
        cutQemu.destroyForcibly();
        cutQemu.onExit().get(10, TimeUnit.SECONDS);
        inDom0("ip", "link", "add", "pd-ghost", "type", "bridge");
        polydeskd.restart();
        String cutTap = tapOf(cut);
        long tidied = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (inDom0("ip", "-o", "link", "show").contains(cutTap) && System.nanoTime() < tidied) {
            Thread.sleep(200);
        }
        String linksAfter = inDom0("ip", "-o", "link", "show");
        assertFalse(linksAfter.contains(cutTap), "the tap of the VM that ended meanwhile is deleted: " + linksAfter
                + "\npolydeskd's log:\n" + polydeskd.logText() + "\ndnsmasqs: " + run("pgrep", "-a", "dnsmasq")
                + "\ndefault's dnsmasq log: " + Files.readString(tmp.resolve("run/net/default.dnsmasq.log")));
        assertFalse(linksAfter.contains("pd-ghost"), "the stray bridge is deleted: " + linksAfter);
        assertTrue(linksAfter.contains(tapOf(a)), "a running VM keeps its tap: " + linksAfter);
        assertEquals("running", polyctl.json("vm", "show", "a").path("state").asText());
        assertEquals(1, inDom0("pgrep", "-f", "interface=pd-default").lines().count(), "one dnsmasq serves default");
        assertTrue(inDom0("nft", "list", "table", "bridge", "polydesk").contains("iifname { \"" + offTap + "\", \""
                + offTap + "-emu\" } drop"), "the offline guest's rule is loaded again");
        awaitPing(aIp, true);
        // (Not a ping of the offline guest's 10.77.0.250: set by hand, dnsmasq may lease it to another
        // guest, which then answers; its rule above is what keeps it offline.)
        assertEquals(0, polyctl.run("vm", "delete", "cut").exit()); // its slot for the next one (nine in all)
        UUID late = vm("late", "default", "ping:" + aIp);
        assertTrue(lease(late).startsWith("10.77.0."), "a guest started after the restart gets a lease");
        assertEquals("ok", checks(late).get("ping:" + aIp), "and reaches a guest that ran through the restart");

        // Stopped VMs leave no taps; deleted networks leave no bridge and no rules.
        for (String vm : List.of("a", "b", "off", "only", "allowed", "onlan", "late", "e", "f")) {
            assertEquals(0, polyctl.run("vm", "destroy", vm).exit());
            assertEquals(0, polyctl.run("vm", "delete", vm).exit());
        }
        awaitNoTaps();
        assertEquals(0, polyctl.run("network", "delete", "iso").exit());
        assertEquals(0, polyctl.run("network", "delete", "office").exit());
        assertFalse(inDom0("ip", "-o", "link", "show", "lan1").contains("master"), "lan1 is let go");
        assertEquals(0, polyctl.run("network", "delete", "default").exit());
        String links = inDom0("ip", "-o", "link", "show");
        assertFalse(links.contains("pd-default") || links.contains("pd-iso"), links);
        assertEquals("", inDom0("nft", "list", "tables").strip(), "polydeskd's tables are gone");

        assertEquals(hostLinksBefore, run("ip", "-o", "link", "show").replaceAll("\\d+: ", ""), "the host's interfaces");
        assertEquals(hostTablesBefore, run("nft", "list", "tables"), "the host's nft tables");
    }

    /**
     * A stored network that cannot come up when polydeskd starts (here its nft fails, as a slow boot's
     * did by timing out) is listed down with why, and comes up by itself once it can: its bridge with
     * its address, its dnsmasq and its nft table, read in dom0.
     */
    @Test
    void aNetworkThatFailsAtTheStartComesUpWhenItCan() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "the test makes network namespaces, which needs root");
        String hostTablesBefore = run("nft", "list", "tables");
        world.add("dom0");
        // nft as found on PATH, failing while the file "broken" exists; the real one otherwise.
        Path shim = Files.createDirectories(tmp.resolve("shim"));
        Path broken = tmp.resolve("broken");
        String realNft = check("sh", "-c", "command -v nft").strip();
        Files.writeString(shim.resolve("nft"), "#!/bin/sh\n[ -e " + broken + " ] && { echo 'Error: Could not process rule:"
                + " Device or resource busy' >&2; exit 1; }\nexec " + realNft + " \"$@\"\n");
        assertTrue(shim.resolve("nft").toFile().setExecutable(true));
        List<String> env = List.of("PATH=" + shim + ":" + System.getenv("PATH"));

        polydeskd = world.startPolydeskdInDom0(env, tmp.resolve("root"), "--default-network");
        polyctl = new PolyctlRunner(polydeskd.socket());
        JsonNode made = defaultNetwork();
        assertTrue(made.path("active").asBoolean(), "the default network is made at the first start: " + made);
        // A VM that starts with polydeskd, on that network: it must wait for it, then start.
        UUID auto = UUID.fromString(polyctl.json("vm", "create", "--name", "auto", "--memory", "128", "--vcpus", "1",
                "--nic", "default", "--autostart", "--kernel", TestGuest.kernel().toString(), "--ramdisk",
                TestGuest.initrd().toString(), "--cmdline", TestGuest.cmdline("2050A0") + " polydesk.net=1")
                .path("definition").path("id").asText());

        // dom0 restarts: polydeskd ends, and what it had made is gone as after a reboot.
        polydeskd.kill();
        Path pidFile = polydeskd.runDir().resolve("net").resolve("default" + Dnsmasq.PID_SUFFIX);
        check("kill", Files.readString(pidFile).strip());
        Files.delete(pidFile);
        inDom0("ip", "link", "delete", "pd-default");
        inDom0("nft", "flush", "ruleset");
        Files.writeString(broken, "");
        polydeskd.restart();
        JsonNode down = defaultNetwork();
        assertFalse(down.path("active").asBoolean(), down.toString());
        assertTrue(down.path("problem").asText().contains("Device or resource busy"), "says why: " + down);
        assertFalse(inDom0("ip", "-o", "link", "show").contains("pd-default"), "no bridge while it is down");
        assertEquals("stopped", polyctl.json("vm", "show", "auto").path("state").asText(),
                "the autostart VM cannot start on a network that is down");

        Files.delete(broken);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Networks.RETRY_FIRST_SECONDS * 3 + 30);
        JsonNode up = down;
        while (!up.path("active").asBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            up = defaultNetwork();
        }
        assertTrue(up.path("active").asBoolean(), "up again by itself: " + up + "\n" + polydeskd.logText());
        assertTrue(up.path("problem").isMissingNode() || up.path("problem").isNull(), "no problem left: " + up);
        String address = made.path("network").path("address").asText();
        assertTrue(inDom0("ip", "-br", "-4", "addr", "show", "dev", "pd-default").contains(address),
                "the bridge has " + address + " again");
        assertTrue(inDom0("nft", "list", "tables").contains("inet polydesk"), "its nft table is loaded again");
        long dnsmasq = Long.parseLong(Files.readString(pidFile).strip());
        assertTrue(ProcessHandle.of(dnsmasq).map(ProcessHandle::isAlive).orElse(false), "its dnsmasq runs again");
        // The autostart VM started once its network was up: the guest itself got a lease on it.
        String autoIp = lease(auto);
        assertTrue(autoIp.startsWith(address.substring(0, address.lastIndexOf('.') + 1)), autoIp + " on " + address);
        assertTrue(inDom0("ip", "-o", "link", "show", tapOf(auto)).contains("master pd-default"), "its tap is on pd-default");
        assertEquals(hostTablesBefore, run("nft", "list", "tables"), "the host's nft tables");
    }

    /** polyctl's listing of the network "default". */
    private JsonNode defaultNetwork() throws Exception {
        for (JsonNode n : polyctl.json("network", "list")) {
            if (n.path("network").path("name").asText().equals("default")) {
                return n;
            }
        }
        throw new AssertionError("no network default: " + polyctl.json("network", "list"));
    }

    private static String tapOf(UUID vm) {
        return NicNames.of(vm, 0);
    }

    /** Waits up to 15 s for dom0's ping of {@code ip} to succeed ({@code answers}) or to fail. */
    private void awaitPing(String ip, boolean answers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        boolean answered;
        do {
            Process p = new ProcessBuilder("ip", "netns", "exec", dom0, "busybox", "ping", "-c", "1", "-W", "1", ip)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            answered = p.waitFor() == 0;
        } while (answered != answers && System.nanoTime() < deadline);
        assertEquals(answers, answered, "dom0's ping of " + ip + (answers ? " is answered" : " is not answered"));
    }

    /**
     * NamespaceWorld's dom0, lan and internet, with a page served in lan and in internet; and a second
     * LAN segment for a bridged network: dom0's NIC lan1 (no address of dom0's) to lan's lanb, where
     * 192.168.60.1 serves a page of its own.
     */
    private void makeNamespaces() throws Exception {
        world.makeDom0LanInternet();
        serve(world.lan, NamespaceWorld.LAN_HOST, "lan");
        serve(world.internet, NamespaceWorld.INTERNET_HOST, "internet");
        NamespaceWorld.check("ip", "link", "add", "lan1", "netns", world.dom0, "type", "veth", "peer", "name", "lanb",
                "netns", world.lan);
        NamespaceWorld.check("ip", "netns", "exec", world.dom0, "ip", "link", "set", "lan1", "up");
        NamespaceWorld.check("ip", "netns", "exec", world.lan, "ip", "addr", "add", OFFICE_HOST + "/24", "dev", "lanb");
        NamespaceWorld.check("ip", "netns", "exec", world.lan, "ip", "link", "set", "lanb", "up");
        serve(world.lan, OFFICE_HOST, "office");
    }

    private void serve(String ns, String address, String page) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("www-" + page));
        Files.writeString(dir.resolve("index.html"), page + "\n");
        world.spawn(ns, tmp.resolve("httpd-" + page + ".log"), "busybox", "httpd", "-f", "-p", address + ":8080",
                "-h", dir.toString());
    }

    /** Creates and starts a test guest with one NIC ({@code nic}: polyctl's --nic) and the given checks. */
    private UUID vm(String name, String nic, String checks, String... staticAddress) throws Exception {
        String cmdline = TestGuest.cmdline("2050A0") + " polydesk.net=1 polydesk.netcheck=" + checks
                + (staticAddress.length > 0 ? " polydesk.netstatic=" + staticAddress[0] : "");
        JsonNode def = polyctl.json("vm", "create", "--name", name, "--memory", "128", "--vcpus", "1", "--nic", nic,
                "--kernel", TestGuest.kernel().toString(), "--ramdisk", TestGuest.initrd().toString(), "--cmdline", cmdline)
                .path("definition");
        assertTrue(def.path("nics").path(0).path("mac").asText().matches("52:54:00(:[0-9a-f]{2}){3}"),
                "the NIC got a MAC, stored: " + def);
        PolyctlRunner.Run start = polyctl.run("vm", "start", name);
        assertEquals(0, start.exit(), start.err() + "\n" + polydeskd.logText());
        return UUID.fromString(def.path("id").asText());
    }

    private Path consoleOf(UUID vm) {
        return Paths.vmDir(polydeskd.runDir(), vm).resolve("console.log");
    }

    private String console(UUID vm) throws IOException {
        Path c = consoleOf(vm);
        return Files.exists(c) ? Files.readString(c, StandardCharsets.ISO_8859_1) : "";
    }

    private String lease(UUID vm) throws Exception {
        TestGuest.awaitConsole(consoleOf(vm), "POLYDESK-NET LEASE", 300);
        Matcher m = LEASE.matcher(console(vm));
        assertTrue(m.find(), console(vm));
        return m.group(1);
    }

    /** Each check's result once the guest has run them all: "ok PAGE", "ok" or "fail". */
    private Map<String, String> checks(UUID vm) throws Exception {
        TestGuest.awaitConsole(consoleOf(vm), "POLYDESK-NET DONE", 300);
        System.out.println("---- " + vm + "\n" + console(vm).lines().filter(l -> l.contains("POLYDESK-NET"))
                .reduce("", (a, b) -> a + b + "\n") + diagnostics());
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : console(vm).split("\r?\n")) {
            line = line.strip();
            if (line.startsWith("POLYDESK-NET CHECK ")) {
                String[] parts = line.substring("POLYDESK-NET CHECK ".length()).split(" ", 2);
                out.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return out;
    }

    /** dom0's side of things, printed with each guest's results (for the post-mortem of a failure). */
    private String diagnostics() throws Exception {
        return "dom0 addresses:\n" + run("ip", "netns", "exec", dom0, "ip", "-br", "addr")
                + "dom0 routes:\n" + run("ip", "netns", "exec", dom0, "ip", "route")
                + "dom0 forwarding: " + run("ip", "netns", "exec", dom0, "cat", "/proc/sys/net/ipv4/ip_forward")
                + "dom0 rules:\n" + run("ip", "netns", "exec", dom0, "nft", "list", "ruleset")
                + "httpd logs: " + Files.readString(tmp.resolve("httpd-internet.log")) + Files.readString(tmp.resolve("httpd-lan.log"));
    }

    private void awaitNoTaps() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String links = "";
        while (System.nanoTime() < deadline) {
            links = inDom0("ip", "-o", "link", "show");
            if (!links.contains(": pv")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("taps are left: " + links);
    }

    private String inDom0(String... cmd) throws Exception {
        return NamespaceWorld.in(dom0, cmd);
    }

    private static String check(String... cmd) throws IOException, InterruptedException {
        return NamespaceWorld.check(cmd);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        return NamespaceWorld.run(cmd);
    }
}
