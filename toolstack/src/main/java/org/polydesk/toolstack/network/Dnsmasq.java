package org.polydesk.toolstack.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.network.NetworkKind;

/**
 * The DHCP (and, on nat networks, DNS) server of one network: a dnsmasq that polydeskd starts in
 * the foreground, bound to the network's bridge alone, with no configuration but its command line.
 * When it dies it is started again after a growing pause (1 s, doubling to 30 s), and
 * {@code onRestart} says so; {@link #stop} ends it for good.
 */
final class Dnsmasq {
    private static final Logger LOG = Logger.getLogger(Dnsmasq.class.getName());
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    /** A run this long counts as healthy: the next death starts the pauses over. */
    private static final Duration HEALTHY = Duration.ofSeconds(60);

    private final Network network;
    private final Path leaseFile;
    /** What dnsmasq prints (it logs to stderr in the foreground), kept beside its leases. */
    private final Path logFile;
    /**
     * The pid of the dnsmasq we run, written by us: a polydeskd that was killed leaves its dnsmasq
     * running (it still holds the bridge's DHCP port), and the next one ends it by this.
     */
    private final Path pidFile;
    private final String binary;
    private final Consumer<String> onRestart;
    private volatile Process process;
    private volatile boolean stopped;
    private Thread supervisor;

    Dnsmasq(Network network, Path runDir, String binary, Consumer<String> onRestart) {
        this.network = network;
        this.leaseFile = runDir.resolve(network.name() + ".leases");
        this.logFile = runDir.resolve(network.name() + ".dnsmasq.log");
        this.pidFile = pidFile(runDir, network.name());
        this.binary = binary;
        this.onRestart = onRestart;
    }

    /** The command line: DHCP on the bridge's subnet, DNS forwarded upstream on nat, none on isolated. */
    static List<String> command(String binary, Network network, Path leaseFile) {
        Ipv4Net net = Ipv4Net.parse(network.address());
        String[] range = net.leaseRange();
        List<String> c = new ArrayList<>(List.of(binary, "--keep-in-foreground", "--conf-file=/dev/null",
                "--log-facility=-", "--interface=" + network.bridge(), "--bind-interfaces", "--except-interface=lo",
                "--dhcp-authoritative", "--dhcp-range=" + range[0] + "," + range[1] + "," + mask(net) + ",12h",
                "--dhcp-leasefile=" + leaseFile, "--pid-file="));
        if (network.kind() == NetworkKind.ISOLATED) {
            // VM to VM only: no default route, no DNS server offered, none served.
            c.addAll(List.of("--port=0", "--dhcp-option=option:router", "--dhcp-option=option:dns-server"));
        }
        return c;
    }

    private static String mask(Ipv4Net net) {
        return Ipv4Net.dotted(net.mask());
    }

    /** Starts it and its supervisor; throws if the first start fails (nothing is left running). */
    synchronized void start() throws NetworkException {
        try {
            Files.createDirectories(leaseFile.getParent());
        } catch (IOException e) {
            throw new NetworkException("cannot make " + leaseFile.getParent() + ": " + e.getMessage(), e);
        }
        endLeftover(pidFile);
        process = launch();
        supervisor = new Thread(this::supervise, "dnsmasq-" + network.name());
        supervisor.setDaemon(true);
        supervisor.start();
    }

    private Process launch() throws NetworkException {
        List<String> command = command(binary, network, leaseFile);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            // Recorded at once: polydeskd may be killed in the very next moment.
            Files.writeString(pidFile, p.pid() + "\n");
            // dnsmasq checks its options and binds before it serves; an error ends it within a moment.
            if (p.waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                Files.deleteIfExists(pidFile);
                throw new NetworkException("dnsmasq for '" + network.name() + "' exited " + p.exitValue() + " at its start: "
                        + lastLine(logFile));
            }
            return p;
        } catch (IOException e) {
            throw new NetworkException("cannot start dnsmasq for '" + network.name() + "' (" + binary + "): " + e.getMessage()
                    + "; install the dnsmasq package", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while starting dnsmasq for '" + network.name() + "'");
        }
    }

    private void supervise() {
        Duration pause = FIRST_PAUSE;
        while (!stopped) {
            Process p = process;
            long began = System.nanoTime();
            try {
                int exit = p.waitFor();
                if (stopped) {
                    return;
                }
                if (System.nanoTime() - began > HEALTHY.toNanos()) {
                    pause = FIRST_PAUSE;
                }
                LOG.warning("dnsmasq for '" + network.name() + "' exited " + exit + "; starting it again in "
                        + pause.toMillis() + " ms");
                Thread.sleep(pause.toMillis());
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
                synchronized (this) {
                    if (stopped) {
                        return;
                    }
                    process = launch();
                }
                onRestart.accept("dnsmasq exited " + exit + " and was started again");
            } catch (InterruptedException e) {
                return;
            } catch (NetworkException e) {
                LOG.warning(e.getMessage());
                onRestart.accept("dnsmasq exited and could not be started again yet: " + e.getMessage());
            }
        }
    }

    boolean running() {
        Process p = process;
        return p != null && p.isAlive();
    }

    synchronized void stop() {
        stopped = true;
        if (supervisor != null) {
            supervisor.interrupt();
        }
        Process p = process;
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            LOG.warning("cannot delete " + pidFile + ": " + e.getMessage());
        }
    }

    static Path pidFile(Path runDir, String network) {
        return runDir.resolve(network + PID_SUFFIX);
    }

    static final String PID_SUFFIX = ".dnsmasq.pid";

    /**
     * Ends the dnsmasq a pid file names, if that process is still a dnsmasq (a pid may have been
     * reused since), and deletes the file.
     */
    static void endLeftover(Path pidFile) {
        ProcessHandle leftover;
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            String text = Files.readString(pidFile).strip();
            Files.delete(pidFile);
            long pid = Long.parseLong(text);
            Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
            String argv0 = Files.exists(cmdline) ? Files.readString(cmdline).split("\0", 2)[0] : "";
            leftover = argv0.equals("dnsmasq") || argv0.endsWith("/dnsmasq") ? ProcessHandle.of(pid).orElse(null) : null;
            if (leftover == null) {
                LOG.info(pidFile + " names " + pid + ", which is no dnsmasq now (" + (argv0.isEmpty() ? "gone" : argv0) + ")");
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warning("cannot read " + pidFile + ": " + e.getMessage());
            return;
        }
        if (leftover == null) {
            return;
        }
        LOG.info("ending dnsmasq " + leftover.pid() + ", left running by an earlier polydeskd");
        leftover.destroy();
        try {
            leftover.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            leftover.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pid of the current dnsmasq (what the test kills to see it come back). */
    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
