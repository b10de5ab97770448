package org.polydesk.toolstack.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.cli.PolyctlRunner;

/**
 * Issue 18's figures, each with its baseline measured in the same run, everything inside network
 * namespaces it makes and deletes ({@link NamespaceWorld}: dom0 running a real polydeskd with
 * {@code --default-network}, lan, internet; no traffic leaves them):
 * <ol>
 * <li>VM start → DHCP lease: a test guest (QEMU, TCG) with one NIC on {@code default} started with
 * {@code vm.start} (polyctl), timed until its serial console shows {@code POLYDESK-NET LEASE}.
 * The guest's init prints no marker just before it asks for DHCP (its network part starts in the
 * background just before the keyboard echo that prints READY), so the baseline is the time to its
 * earliest serial output line (READY, with {@code quiet}); the difference is what the network adds.
 * When dnsmasq logged the guest's DISCOVERs and its ACK (seen as the console is, by polling every
 * 10 ms) is printed beside each round: it tells the server's part from the guest's.</li>
 * <li>TCP throughput of the NAT path as a ratio to a plain veth pair: iperf3, the same duration and
 * streams, (a) between two fresh namespaces joined by a veth pair, (b) from a namespace "vm" whose
 * veth's other end is enslaved to {@code pd-default} in dom0 as a tap would be (its address leased
 * from polydeskd's dnsmasq by busybox udhcpc), through polydeskd's nft masquerade and the lan
 * namespace's routing, to a server in the internet namespace.</li>
 * </ol>
 * Run as root with {@code bash toolstack/bench.sh [rounds] [seconds] [streams]}.
 */
public final class NetworkBenchmark {
    private static final Pattern LEASE = Pattern.compile("POLYDESK-NET LEASE (\\d+\\.\\d+\\.\\d+\\.\\d+)");
    private static final String VM = "netbench";
    private static final int IPERF_PORT = 5201;

    private final Path dir;
    private final NamespaceWorld world = new NamespaceWorld();
    private PolydeskdProcess polydeskd;
    private PolyctlRunner polyctl;
    private int iperfRuns;
    /** The address the "vm" namespace was leased by polydeskd's dnsmasq. */
    private String vmLease;

    private NetworkBenchmark(Path dir) {
        this.dir = dir;
    }

    /**
     * One start of the guest: seconds from vm.start to its first serial line and to its lease, and
     * what dnsmasq logged meanwhile: when the first DHCPDISCOVER and the DHCPACK came, how many
     * DISCOVERs there were (udhcpc sends one every 3 s until it gets an offer).
     */
    private record Boot(double firstLine, String firstText, double lease, String ip, double discover, double ack,
            int discovers) {
    }

    /** One iperf3 run: what the server received, and where it saw the client's connection come from. */
    private record Throughput(double gbits, String seenFrom) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int streams = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("the benchmark makes network namespaces, which needs root");
            System.exit(2);
        }
        // Short: QEMU's sockets go under it, and a UNIX socket's path has at most 107 bytes.
        NetworkBenchmark bench = new NetworkBenchmark(Files.createTempDirectory("pdnb"));
        // Ctrl+C ends the JVM without running finally blocks; the hook takes the namespaces down then.
        Runtime.getRuntime().addShutdownHook(new Thread(bench::cleanUp, "network-benchmark-cleanup"));
        try {
            bench.run(rounds, seconds, streams);
        } finally {
            bench.cleanUp();
        }
    }

    private void run(int rounds, int seconds, int streams) throws Exception {
        world.makeDom0LanInternet();
        polydeskd = world.startPolydeskdInDom0(dir.resolve("d"), "--default-network");
        polyctl = new PolyctlRunner(polydeskd.socket());
        JsonNode net = null;
        for (JsonNode n : polyctl.json("network", "list")) {
            if ("default".equals(n.path("network").path("name").asText())) {
                net = n;
            }
        }
        if (net == null) {
            throw new IOException("polydeskd --default-network made no network 'default':\n" + polydeskd.logText());
        }
        String bridge = net.path("bridge").asText();
        String address = net.path("network").path("address").asText();

        List<Boot> boots = leaseRounds(rounds);
        System.out.printf("VM start -> DHCP lease: test guest (QEMU, TCG, 128 MiB, 1 vCPU) with a NIC on polydeskd's 'default'"
                + " (nat, %s on %s, its dnsmasq), started by vm.start (polyctl), %d rounds%n", address, bridge, rounds);
        for (int i = 0; i < boots.size(); i++) {
            Boot b = boots.get(i);
            System.out.printf("  round %d: earliest serial line %6.2f s (\"%s\"), lease %6.2f s (%s), network adds %5.2f s"
                    + " (dnsmasq logged the first DISCOVER at %.2f s, the ACK at %.2f s, %d DISCOVERs)%n", i + 1,
                    b.firstLine(), b.firstText(), b.lease(), b.ip(), b.lease() - b.firstLine(), b.discover(), b.ack(),
                    b.discovers());
        }
        double[] first = boots.stream().mapToDouble(Boot::firstLine).toArray();
        double[] lease = boots.stream().mapToDouble(Boot::lease).toArray();
        double[] added = boots.stream().mapToDouble(b -> b.lease() - b.firstLine()).toArray();
        report("baseline: start -> earliest serial line", first);
        report("start -> DHCP lease                    ", lease);
        report("lease - earliest line (the network)    ", added);
        System.out.printf("  ratio lease / earliest line, p50: %.2f%n", p50(lease) / p50(first));

        Throughput veth = vethPair(seconds, streams);
        Throughput nat = natPath(bridge, seconds, streams);
        System.out.printf("TCP throughput, iperf3 -t %d -P %d, client -> server, as received by the server%n", seconds, streams);
        System.out.printf("  baseline: plain veth pair between two namespaces                                %7.2f Gbit/s%n",
                veth.gbits());
        System.out.printf("  NAT path: vm ns (udhcpc lease %s) -> %s -> dom0 nft masquerade -> lan -> internet"
                + " %7.2f Gbit/s (server saw %s)%n", vmLease, bridge, nat.gbits(), nat.seenFrom());
        System.out.printf("  ratio NAT / veth: %.2f%n", nat.gbits() / veth.gbits());
    }

    /** Starts the guest {@code rounds} times, each until its lease, then destroys it. */
    private List<Boot> leaseRounds(int rounds) throws Exception {
        JsonNode def = polyctl.json("vm", "create", "--name", VM, "--memory", "128", "--vcpus", "1", "--nic", "default",
                "--kernel", TestGuest.kernel().toString(), "--ramdisk", TestGuest.initrd().toString(),
                "--cmdline", TestGuest.cmdline("2050A0") + " polydesk.net=1").path("definition");
        UUID id = UUID.fromString(def.path("id").asText());
        Path console = Paths.vmDir(polydeskd.runDir(), id).resolve("console.log");
        Path dnsmasqLog = polydeskd.runDir().resolve("net").resolve("default.dnsmasq.log");
        List<Boot> boots = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long logStart = Files.exists(dnsmasqLog) ? Files.size(dnsmasqLog) : 0;
            long t0 = System.nanoTime();
            PolyctlRunner.Run start = polyctl.run("vm", "start", VM);
            if (start.exit() != 0) {
                throw new IOException("vm start failed: " + start.err() + "\n" + polydeskd.logText());
            }
            boots.add(awaitLease(console, dnsmasqLog, logStart, t0));
            PolyctlRunner.Run destroy = polyctl.run("vm", "destroy", VM);
            if (destroy.exit() != 0) {
                throw new IOException("vm destroy failed: " + destroy.err());
            }
            awaitNoTaps();
        }
        return boots;
    }

    /**
     * Watches the console (every 10 ms) for its first non-empty line and then the lease, and
     * dnsmasq's log (from {@code logStart} on) for the guest's DISCOVERs and its ACK.
     */
    private static Boot awaitLease(Path console, Path dnsmasqLog, long logStart, long t0)
            throws IOException, InterruptedException {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(300);
        double first = -1;
        double discover = -1;
        double ack = -1;
        int discovers = 0;
        String firstText = null;
        String seen = "";
        while (System.nanoTime() < deadline) {
            seen = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
            String log = Files.exists(dnsmasqLog) ? Files.readString(dnsmasqLog, StandardCharsets.ISO_8859_1) : "";
            log = log.substring((int) Math.min(logStart, log.length()));
            double now = (System.nanoTime() - t0) / 1e9;
            if (first < 0) {
                int end = seen.lastIndexOf('\n');
                String line = end < 0 ? null
                        : seen.substring(0, end).lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
                if (line != null) {
                    first = now;
                    firstText = line;
                }
            }
            int d = (int) log.lines().filter(l -> l.contains("DHCPDISCOVER(")).count();
            if (d > discovers) {
                discover = discovers == 0 ? now : discover;
                discovers = d;
            }
            if (ack < 0 && log.contains("DHCPACK(")) {
                ack = now;
            }
            Matcher m = LEASE.matcher(seen);
            if (first >= 0 && m.find()) {
                return new Boot(first, firstText, now, m.group(1), discover, ack, discovers);
            }
            if (seen.contains("POLYDESK-NET NOLEASE") || seen.contains("POLYDESK-GUEST ERROR")) {
                break;
            }
            Thread.sleep(10);
        }
        throw new IOException("the guest got no lease; its console:\n" + seen);
    }

    private void awaitNoTaps() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (NamespaceWorld.in(world.dom0, "ip", "-o", "link", "show").contains(": pv")) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the guest's tap is left after vm destroy");
            }
            Thread.sleep(100);
        }
    }

    /** The baseline: iperf3 across one veth pair between two fresh namespaces. */
    private Throughput vethPair(int seconds, int streams) throws Exception {
        String a = world.add("va");
        String b = world.add("vb");
        NamespaceWorld.check("ip", "link", "add", "va0", "netns", a, "type", "veth", "peer", "name", "vb0", "netns", b);
        NamespaceWorld.in(a, "ip", "addr", "add", "10.99.0.1/24", "dev", "va0");
        NamespaceWorld.in(b, "ip", "addr", "add", "10.99.0.2/24", "dev", "vb0");
        NamespaceWorld.in(a, "ip", "link", "set", "va0", "up");
        NamespaceWorld.in(b, "ip", "link", "set", "vb0", "up");
        return iperf(b, "10.99.0.2", a, seconds, streams);
    }

    /**
     * The NAT path: a namespace "vm" plugged into {@code bridge} in dom0 by a veth (as a tap would be),
     * leased an address by polydeskd's dnsmasq (busybox udhcpc), sending to the internet's server.
     */
    private Throughput natPath(String bridge, int seconds, int streams) throws Exception {
        String vm = world.add("vm");
        NamespaceWorld.check("ip", "link", "add", "eth0", "netns", vm, "type", "veth", "peer", "name", "pdbench0",
                "netns", world.dom0);
        NamespaceWorld.in(world.dom0, "ip", "link", "set", "pdbench0", "master", bridge);
        NamespaceWorld.in(world.dom0, "ip", "link", "set", "pdbench0", "up");
        NamespaceWorld.in(vm, "ip", "link", "set", "eth0", "up");
        // busybox udhcpc only reports; this script sets what it got (as the test guest's init does).
        Path script = dir.resolve("udhcpc.sh");
        Path lease = dir.resolve("vm.lease");
        Files.writeString(script, String.join("\n", "#!/bin/sh", "case \"$1\" in bound|renew)",
                "  ip addr flush dev \"$interface\"; ip addr add \"$ip/$mask\" dev \"$interface\"",
                "  [ -n \"$router\" ] && ip route replace default via \"${router%% *}\"",
                "  echo \"$ip\" > " + lease + " ;; esac", ""));
        script.toFile().setExecutable(true);
        NamespaceWorld.in(vm, "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "3", "-s", script.toString());
        vmLease = Files.readString(lease).strip();
        return iperf(world.internet, NamespaceWorld.INTERNET_HOST, vm, seconds, streams);
    }

    /** One iperf3 test: a one-off server on {@code address} in {@code serverNs}, the client in {@code clientNs}. */
    private Throughput iperf(String serverNs, String address, String clientNs, int seconds, int streams) throws Exception {
        Path serverLog = dir.resolve("iperf3-server-" + (++iperfRuns) + ".json");
        Process server = world.spawn(serverNs, serverLog, "iperf3", "-s", "-1", "-J", "-B", address, "-p",
                Integer.toString(IPERF_PORT));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!NamespaceWorld.run("ip", "netns", "exec", serverNs, "ss", "-Hltn").contains(address + ":" + IPERF_PORT)) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("iperf3 -s did not listen on " + address + ": " + Files.readString(serverLog));
            }
            Thread.sleep(50);
        }
        String out = NamespaceWorld.in(clientNs, "iperf3", "-c", address, "-p", Integer.toString(IPERF_PORT),
                "-t", Integer.toString(seconds), "-P", Integer.toString(streams), "-J");
        JsonNode client = Json.mapper().readTree(out);
        double bits = client.at("/end/sum_received/bits_per_second").asDouble();
        if (bits <= 0) {
            throw new IOException("iperf3 reported no throughput: " + out);
        }
        server.waitFor(10, TimeUnit.SECONDS);
        String from = Json.mapper().readTree(Files.readString(serverLog)).at("/start/connected/0/remote_host").asText("?");
        return new Throughput(bits / 1e9, from);
    }

    private static double p50(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void report(String name, double[] seconds) {
        System.out.printf("  %s  p50 %6.2f s  max %6.2f s%n", name, p50(seconds),
                Arrays.stream(seconds).max().orElse(Double.NaN));
    }

    /** Ends the VMs, polydeskd and whatever runs in the namespaces, deletes them and the directory; again: nothing. */
    private synchronized void cleanUp() {
        try {
            world.close();
        } catch (Exception | AssertionError e) {
            System.err.println("cleaning up the namespaces: " + e);
        }
        try (Stream<Path> files = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("removing " + dir + ": " + e);
        }
    }
}
