package org.polydesk.toolstack.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestProcesses;
import org.polydesk.toolstack.cli.PolyctlRunner;

/**
 * Network namespaces that a test or a benchmark makes for itself (named {@code pdn-ROLE-PID}) and
 * that nothing outlives: {@link #close} kills whatever still runs in them (dnsmasq, guests, servers)
 * and deletes them, and may be called again, from a shutdown hook too. Links are made straight into
 * them ({@code ip link add … netns X}); the machine's own interfaces, routes and nft tables are
 * never touched. {@link #makeDom0LanInternet} lays out the world of NetworksInNamespacesTest and
 * NetworkBenchmark, {@link #startPolydeskdInDom0} runs a real polydeskd in it.
 */
final class NamespaceWorld implements AutoCloseable {
    /** dom0's address on its uplink, the LAN host (the router to the internet) and the internet's server. */
    static final String DOM0_UPLINK = "192.168.50.2", LAN_HOST = "192.168.50.1", INTERNET_HOST = "198.51.100.1";

    private final String suffix = Long.toString(ProcessHandle.current().pid());
    /** The namespaces of {@link #makeDom0LanInternet}. */
    final String dom0 = name("dom0"), lan = name("lan"), internet = name("inet");
    private final List<String> made = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private PolydeskdProcess polydeskd;

    /** The name of the namespace for {@code role}. */
    String name(String role) {
        return "pdn-" + role + "-" + suffix;
    }

    /** Makes the namespace for {@code role}, with its loopback up; returns its name. */
    synchronized String add(String role) throws IOException, InterruptedException {
        String ns = name(role);
        check("ip", "netns", "add", ns);
        made.add(ns);
        in(ns, "ip", "link", "set", "lo", "up");
        return ns;
    }

    /**
     * dom0 ←up0/lan0→ lan ←wan0/inet0→ internet: dom0's uplink {@value #DOM0_UPLINK}/24 with its
     * default route via the LAN host {@value #LAN_HOST}, which forwards to the internet's
     * {@value #INTERNET_HOST}/24; the internet routes the LAN's subnet back through it.
     */
    void makeDom0LanInternet() throws IOException, InterruptedException {
        add("dom0");
        add("lan");
        add("inet");
        check("ip", "link", "add", "up0", "netns", dom0, "type", "veth", "peer", "name", "lan0", "netns", lan);
        check("ip", "link", "add", "wan0", "netns", lan, "type", "veth", "peer", "name", "inet0", "netns", internet);
        in(dom0, "ip", "addr", "add", DOM0_UPLINK + "/24", "dev", "up0");
        in(dom0, "ip", "link", "set", "up0", "up");
        in(dom0, "ip", "route", "add", "default", "via", LAN_HOST);
        in(lan, "ip", "addr", "add", LAN_HOST + "/24", "dev", "lan0");
        in(lan, "ip", "addr", "add", "198.51.100.2/24", "dev", "wan0");
        in(lan, "ip", "link", "set", "lan0", "up");
        in(lan, "ip", "link", "set", "wan0", "up");
        in(lan, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        in(internet, "ip", "addr", "add", INTERNET_HOST + "/24", "dev", "inet0");
        in(internet, "ip", "link", "set", "inet0", "up");
        in(internet, "ip", "route", "add", "192.168.50.0/24", "via", "198.51.100.2");
    }

    /** Starts a real polydeskd (QEMU backend) on {@code root} inside dom0; {@link #close} ends its VMs and it. */
    synchronized PolydeskdProcess startPolydeskdInDom0(Path root, String... options) throws IOException, InterruptedException {
        return startPolydeskdInDom0(List.of(), root, options);
    }

    /** As {@link #startPolydeskdInDom0(Path, String...)}, with {@code env} (NAME=VALUE) in its environment. */
    synchronized PolydeskdProcess startPolydeskdInDom0(List<String> env, Path root, String... options)
            throws IOException, InterruptedException {
        List<String> wrapper = new ArrayList<>(List.of("ip", "netns", "exec", dom0, "env"));
        wrapper.addAll(env);
        polydeskd = PolydeskdProcess.startWrapped(wrapper, root, options);
        return polydeskd;
    }

    /** Starts {@code cmd} inside {@code ns}, its output to {@code log}; it ends at {@link #close} at the latest. */
    synchronized Process spawn(String ns, Path log, String... cmd) throws IOException {
        Process p = TestProcesses.start(new ProcessBuilder(inCommand(ns, cmd)).redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        started.add(p);
        return p;
    }

    /** Runs {@code cmd} inside {@code ns}; its output, or an IOException with it when it fails. */
    static String in(String ns, String... cmd) throws IOException, InterruptedException {
        return check(inCommand(ns, cmd).toArray(String[]::new));
    }

    private static List<String> inCommand(String ns, String... cmd) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        return all;
    }

    /** Ends polydeskd's VMs and polydeskd, kills what runs in the namespaces and deletes them (again: nothing). */
    @Override
    public synchronized void close() throws Exception {
        try {
            if (polydeskd != null && polydeskd.isAlive()) {
                for (JsonNode vm : new PolyctlRunner(polydeskd.socket()).json("vm", "list")) {
                    if (vm.hasNonNull("pid")) {
                        ProcessHandle.of(vm.get("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        } finally {
            if (polydeskd != null) {
                polydeskd.close();
                polydeskd = null;
            }
            deleteNamespaces();
        }
    }

    private void deleteNamespaces() throws IOException, InterruptedException {
        started.forEach(Process::destroyForcibly);
        started.clear();
        for (String ns : made) {
            // Whatever still runs in it (dnsmasq, a guest, a server) ends with it.
            run("ip", "netns", "pids", ns).lines().forEach(pid -> ProcessHandle.of(Long.parseLong(pid.strip()))
                    .ifPresent(ProcessHandle::destroyForcibly));
            run("ip", "netns", "del", ns);
        }
        made.clear();
    }

    /** Runs {@code cmd}; its output (and error output), or an IOException with it when it fails. */
    static String check(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
        return out;
    }

    /** Runs {@code cmd}; its output (and error output), whatever its exit. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
