package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.toolstack.backend.StubBackend;
import org.polydesk.toolstack.gpu.SimulatedKernel;
import org.polydesk.testsupport.SysfsTree;
import picocli.CommandLine;

/**
 * The one test polydeskd for other modules' tests: the real daemon (its API dispatch, VM manager,
 * store, events, console hand-over and GPU passthrough) with only what a test cannot have made
 * simulated, each by choice:
 * <ul>
 * <li>{@code --stub-backend}: the hypervisor is {@link StubBackend} (a VM is a small child process;
 *     its sockets' paths are reported, not served);</li>
 * <li>{@code --simulated-kernel}: writes to the sysfs tree under {@code --sysfs} do what the kernel
 *     would ({@link SimulatedKernel}: drivers bind and unbind), so a GPU can be passed through;</li>
 * <li>{@code --simulated-machine DIR} (with {@code --simulated-delay-ms}, default 100): install.*,
 *     host.system and host.update serve a {@link SimulatedMachine} that must not touch this machine's
 *     disks (its ISO of the next release: {@code DIR/polydesk-2.0.iso}).</li>
 * </ul>
 * Every other option is polydeskd's. Run it as a child JVM ({@code PolydeskdProcess.startMain(
 * TestPolydeskd.MAIN_CLASS, …)}), or in the test's own JVM with {@link #start} (toolstack's own
 * tests too: there is no other in-JVM polydeskd fixture).
 */
public final class TestPolydeskd implements AutoCloseable {
    public static final String MAIN_CLASS = "org.polydesk.toolstack.daemon.TestPolydeskd";

    private final Path root;
    private final Polydeskd daemon;
    private final StubBackend[] stub;
    private final SimulatedKernel kernel;
    private final SimulatedMachine machine;

    private TestPolydeskd(Path root, Polydeskd daemon, StubBackend[] stub, SimulatedKernel kernel, SimulatedMachine machine) {
        this.root = root;
        this.daemon = daemon;
        this.stub = stub;
        this.kernel = kernel;
        this.machine = machine;
    }

    /** What the test chose to simulate, and polydeskd's own options. */
    private static final class Choice {
        boolean stubBackend;
        boolean simulatedKernel;
        Path simulatedMachine;
        long delayMs = 100;
        final List<String> daemonArgs = new ArrayList<>();

        static Choice parse(String[] args) {
            Choice c = new Choice();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--stub-backend" -> c.stubBackend = true;
                    case "--simulated-kernel" -> c.simulatedKernel = true;
                    case "--simulated-machine" -> c.simulatedMachine = Path.of(args[++i]);
                    case "--simulated-delay-ms" -> c.delayMs = Long.parseLong(args[++i]);
                    default -> c.daemonArgs.add(args[i]);
                }
            }
            return c;
        }

        /**
         * A polydeskd with the chosen parts, its options parsed; {@code stub[0]} gets the stub backend once
         * made, {@code kernel[0]} and {@code machine[0]} the simulated kernel and machine when chosen.
         */
        Polydeskd daemon(StubBackend[] stub, SimulatedKernel[] kernel, SimulatedMachine[] machine) throws IOException {
            Polydeskd d = new Polydeskd();
            new CommandLine(d).parseArgs(daemonArgs.toArray(String[]::new));
            if (stubBackend) {
                Path runDir = d.runDir;
                d.backendOverride = listener -> stub[0] = new StubBackend(runDir, listener);
            }
            if (simulatedKernel) {
                kernel[0] = new SimulatedKernel(new SysfsTree(d.sysfs));
                d.sysfsAccess = root -> kernel[0];
            }
            if (simulatedMachine != null) {
                machine[0] = new SimulatedMachine(simulatedMachine, delayMs);
                d.install = machine[0].installApi();
                d.update = machine[0].updateApi();
            }
            return d;
        }
    }

    /**
     * polydeskd in this JVM on {@code root}/run (socket {@code polydeskd.sock}, the VMs' directories
     * under {@code vm/}) and a store in {@code root}/vms, with the options of the main class. Without
     * {@code --sysfs} it sees an empty sysfs under {@code root}, never the host's; without
     * {@code --pci-ids}, no pci.ids.
     */
    public static TestPolydeskd start(Path root, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--state-dir", root.resolve("vms").toString(),
                "--run-dir", root.resolve("run").toString(), "--accel", "tcg"));
        if (!List.of(args).contains("--sysfs")) {
            all.addAll(List.of("--sysfs", root.resolve("no-sys").toString()));
        }
        if (!List.of(args).contains("--pci-ids")) {
            all.addAll(List.of("--pci-ids", root.resolve("no-pci.ids").toString()));
        }
        all.addAll(List.of(args));
        Choice choice = Choice.parse(all.toArray(String[]::new));
        StubBackend[] stub = new StubBackend[1];
        SimulatedKernel[] kernel = new SimulatedKernel[1];
        SimulatedMachine[] machine = new SimulatedMachine[1];
        Polydeskd d = choice.daemon(stub, kernel, machine);
        try {
            d.open();
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return new TestPolydeskd(root, d, stub, kernel[0], machine[0]);
    }

    public Path socket() {
        return runDir().resolve(Paths.DAEMON_SOCKET.getFileName());
    }

    /** A new client of this polydeskd; the caller closes it. */
    public RpcClient connect() throws IOException {
        return RpcClient.connect(socket());
    }

    /** One call on a connection of its own, for a test that needs nothing else of the connection. */
    public <P, R> R call(RpcMethod<P, R> method, P params) throws IOException {
        try (RpcClient c = connect()) {
            return c.call(method, params);
        }
    }

    /** One call of a method that takes no params, on a connection of its own. */
    public <R> R call(RpcMethod<Void, R> method) throws IOException {
        return call(method, null);
    }

    /** The directory the test gave: {@code run/}, {@code vms/} and {@code images/} are under it. */
    public Path root() {
        return root;
    }

    public Path runDir() {
        return root.resolve("run");
    }

    /** The VM store's directory. */
    public Path stateDir() {
        return root.resolve("vms");
    }

    /** Where the VM's sockets are: where a test puts the QMP socket of the guest it boots for it. */
    public Path vmDir(UUID vm) {
        return Paths.vmDir(runDir(), vm);
    }

    /** The stub backend, when chosen. */
    /** polydeskd's own VM manager, for what no method reaches at a chosen moment. */
    VmManager manager() {
        return daemon.manager();
    }

    public StubBackend stub() {
        return stub[0];
    }

    /** The simulated kernel, when chosen: its tree and the log of every write. */
    public SimulatedKernel kernel() {
        return kernel;
    }

    /** The simulated machine behind install.*, when chosen: its disks, the commands it ran, its failures to order. */
    public SimulatedMachine machine() {
        return machine;
    }

    /** Stops serving; the stub's VMs end with it, unreported. */
    @Override
    public void close() {
        daemon.close();
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "test polydeskd %4$s: %5$s%6$s%n");
        }
        Choice choice = Choice.parse(args);
        Polydeskd d;
        try {
            d = choice.daemon(new StubBackend[1], new SimulatedKernel[1], new SimulatedMachine[1]);
        } catch (CommandLine.ParameterException e) {
            System.err.println("TestPolydeskd: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new CommandLine(d).execute(choice.daemonArgs.toArray(String[]::new)));
    }
}
