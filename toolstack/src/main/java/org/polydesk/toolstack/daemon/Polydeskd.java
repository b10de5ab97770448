package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.toolstack.definition.VmStore;
import org.polydesk.toolstack.gpu.HandoverStore;
import org.polydesk.toolstack.gpu.PciIds;
import org.polydesk.toolstack.gpu.Sysfs;
import org.polydesk.toolstack.gpu.SysfsPci;
import org.polydesk.toolstack.libxl.LibxlBackend;
import org.polydesk.toolstack.network.NetworkEvents;
import org.polydesk.toolstack.network.NetworkStore;
import org.polydesk.toolstack.network.Networks;
import org.polydesk.toolstack.network.NetworkManagerClient;
import org.polydesk.toolstack.media.Media;
import org.polydesk.toolstack.media.UsbSticks;
import org.polydesk.toolstack.qemu.QemuBackend;
import org.polydesk.toolstack.qemu.QemuSettings;
import org.polydesk.toolstack.host.HardwareCheck;
import org.polydesk.toolstack.host.SshService;
import org.polydesk.toolstack.sound.SoundPolicy;
import org.polydesk.toolstack.usb.SysfsUsb;
import org.polydesk.toolstack.usb.UsbHotplug;
import org.polydesk.toolstack.usb.UsbManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** polydeskd: owns the VM definitions and the running VMs, and serves the toolstack API. */
@Command(name = "polydeskd", mixinStandardHelpOptions = true, version = "polydeskd 0.1",
        description = {"The Polydesk toolstack daemon.",
                "Options may also be set in /etc/polydesk/polydeskd.conf, one 'name = value' a line (e.g. backend = libxl)."},
        defaultValueProvider = CommandLine.PropertiesDefaultProvider.class)
public final class Polydeskd implements Callable<Integer>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Polydeskd.class.getName());
    private static final Path XEN_CAPABILITIES = Path.of("/proc/xen/capabilities");
    /** Options may also be set here, one "name = value" a line, e.g. "backend = libxl". */
    public static final Path CONFIG_FILE = Path.of("/etc/polydesk/polydeskd.conf");

    @Option(names = "--state-dir", description = "Where VM definitions are kept (default: ${DEFAULT-VALUE}).")
    Path stateDir = VmStore.DEFAULT_DIRECTORY;

    @Option(names = "--run-dir", description = "Where sockets go (default: ${DEFAULT-VALUE}).")
    Path runDir = Paths.RUN_DIR;

    @Option(names = "--socket", description = "The API socket (default: <run-dir>/polydeskd.sock).")
    Path socket;

    @Option(names = "--image-dir", description = "Where disk.create puts new images (default: <state-dir>/../images).")
    Path imageDir;

    @Option(names = "--media-dir", description = "The media library, where media.import puts installer images (default: <state-dir>/../media).")
    Path mediaDir;

    @Option(names = "--network-dir", description = "Where network definitions are kept (default: <state-dir>/../networks).")
    Path networkDir;

    @Option(names = "--default-network", description = "At the first start, make the nat network 'default' (the"
            + " appliance does; a developer's host's networking is its owner's, so not by default).")
    boolean defaultNetwork;

    @Option(names = "--sound-server", paramLabel = "SOCKET", description = "dom0's sound server, the PulseAudio"
            + " socket of polydesk-sound.service, that VMs play into and record from (default: ${DEFAULT-VALUE}); while"
            + " nothing answers there VMs start silent and audio.status says why.")
    Path soundServer = Path.of("/run/polydesk-sound/pulse/native");

    @Option(names = "--pactl", description = "The pactl that sets the VMs' streams (default: ${DEFAULT-VALUE}).")
    String pactl = "pactl";

    @Option(names = "--dnsmasq", description = "The dnsmasq binary that serves the networks' DHCP and DNS (default: ${DEFAULT-VALUE}).")
    String dnsmasq = "dnsmasq";

    @Option(names = "--nmcli", description = "NetworkManager's nmcli, through which host.network reads dom0's uplink"
            + " (default: ${DEFAULT-VALUE}).")
    String nmcli = "nmcli";

    @Option(names = "--nm-connections", description = "NetworkManager's connection files, where host.wifi.connect"
            + " writes its own (default: ${DEFAULT-VALUE}).")
    Path nmConnections = Path.of("/etc/NetworkManager/system-connections");

    @Option(names = "--sysfs", description = "Where sysfs is, for the host's PCI devices and GPU passthrough (default: ${DEFAULT-VALUE}).")
    Path sysfs = Sysfs.DEFAULT_ROOT;

    @Option(names = "--proc", description = "Where procfs is, for host.check (default: ${DEFAULT-VALUE}).")
    Path proc = Path.of("/proc");

    @Option(names = "--xl", description = "The xl that host.check asks for Xen's own report (default: ${DEFAULT-VALUE}).")
    String xl = "xl";

    @Option(names = "--pci-ids", description = "Vendor and device names (default: ${DEFAULT-VALUE}, package pci.ids).")
    Path pciIds = PciIds.DEFAULT_FILE;

    @Option(names = "--focus-socket", description = "input-server's focus bus, where focus.set goes (default: <run-dir>/input.sock).")
    Path focusSocket;

    @Option(names = "--backend", description = "auto, qemu or libxl (default: ${DEFAULT-VALUE}).")
    String backend = "auto";

    @Option(names = "--qemu", description = "The QEMU binary (default: ${DEFAULT-VALUE}).")
    String qemu = QemuSettings.DEFAULT_BINARY;

    @Option(names = "--device-model", paramLabel = "QEMU", description = "On Xen, the QEMU that runs HVM guests'"
            + " devices and gives them their sound card; Debian's, without sound, when it is not installed"
            + " (default: ${DEFAULT-VALUE}, package polydesk-device-model).")
    Path deviceModel = Path.of("/usr/lib/polydesk/qemu/qemu-system-x86_64");

    @Option(names = "--swtpm", description = "The swtpm binary that gives VMs their TPM 2.0 (default: ${DEFAULT-VALUE}).")
    String swtpm = QemuSettings.DEFAULT_SWTPM;

    @Option(names = "--accel", description = "QEMU accelerator: auto, kvm or tcg (default: ${DEFAULT-VALUE}).")
    String accel = "auto";

    @Option(names = "--no-autostart", description = "Do not start the VMs marked autostart.")
    boolean noAutostart;

    @Option(names = "--power-command", paramLabel = "COMMAND", description = {
            "What takes the machine down after host.shutdown or host.reboot has stopped every VM; it is run with"
                    + " 'poweroff' or 'reboot' as its last argument. The appliance's unit gives /usr/bin/systemctl.",
            "Without it (the default) host.shutdown and host.reboot are refused: a developer's polydeskd never"
                    + " powers off the machine it runs on."})
    String powerCommand;

    @Option(names = "--systemctl", paramLabel = "COMMAND", description = {
            "The host's systemctl, with which host.ssh.set switches sshd (the administrator's ssh logins) on or off."
                    + " The appliance's unit gives /usr/bin/systemctl.",
            "Without it (the default) host.ssh.set is refused: a developer's polydeskd never starts or stops its host's"
                    + " services."})
    String systemctl;

    @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", description = "How long each VM has to obey the"
            + " power-down request of host.shutdown and host.reboot before it is forced off (default: ${DEFAULT-VALUE}).")
    int shutdownTimeout = (int) ToolstackService.DEFAULT_STOP_TIMEOUT.toSeconds();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private VmManager manager;
    private Networks networks;
    private SoundPolicy sound;
    private UsbManager usb;
    private UsbHotplug hotplug;
    private Runnable usbFollow;
    private FocusFollower focus;

    /** The VM manager, for tests in this package (null before the daemon runs). */
    VmManager manager() {
        return manager;
    }
    private RpcServer server;
    /** The installer behind install.*: the live system's, or a test's. */
    InstallApi install = InstallApi.system();
    /** The updater behind host.system, host.update and host.boot.ok: the installed system's, or a test's. */
    UpdateApi update = UpdateApi.system();
    /** The hypervisor: null lets --backend choose; a test's (its stub backend) otherwise. */
    VmManager.BackendFactory backendOverride;
    /** How the host's sysfs under --sysfs is written: the kernel's, or a test's simulated kernel over a tree. */
    java.util.function.Function<Path, Sysfs> sysfsAccess = Sysfs::new;

    public static void main(String[] args) {
        if (Files.isReadable(CONFIG_FILE)) {
            System.setProperty("picocli.defaults.polydeskd.path", CONFIG_FILE.toString());
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "polydeskd %4$s: %5$s%6$s%n");
        }
        System.exit(new CommandLine(new Polydeskd()).execute(args));
    }

    /** Loads the definitions, takes back running VMs, serves the socket, then autostarts. */
    public void open() throws IOException {
        Path api = socket != null ? socket : runDir.resolve(Paths.DAEMON_SOCKET.getFileName());
        Files.createDirectories(runDir);
        String chosen = backendOverride != null ? "test's" : chooseBackend();
        if (!"auto".equals(accel) && !"kvm".equals(accel) && !"tcg".equals(accel)) {
            throw new IOException("--accel must be auto, kvm or tcg, not '" + accel + "'");
        }
        if (shutdownTimeout < 0 || shutdownTimeout > HostPower.MAX_TIMEOUT_SECONDS) {
            throw new IOException("--shutdown-timeout must be from 0 to " + HostPower.MAX_TIMEOUT_SECONDS + " seconds, not "
                    + shutdownTimeout);
        }
        if (powerCommand != null && powerCommand.isBlank()) {
            throw new IOException("--power-command must name a command, such as /usr/bin/systemctl");
        }
        EventBus events = new EventBus();
        ConsoleHolders consoleHolders = new ConsoleHolders(java.time.Duration.ofSeconds(5));
        Sysfs sys = sysfsAccess.apply(sysfs);
        SysfsPci pci = new SysfsPci(sys.pciDevices(), PciIds.load(pciIds));
        VmManager.BackendFactory backends = backendOverride != null ? backendOverride : "libxl".equals(chosen)
                ? listener -> new LibxlBackend(runDir, listener, deviceModel, soundServer, proc)
                : listener -> new QemuBackend(
                        new QemuSettings(qemu, accel, runDir, stateDir, QemuSettings.Ovmf.DEBIAN, swtpm,
                                Duration.ofSeconds(20), soundServer), listener);
        try {
            manager = new VmManager(new VmStore(stateDir), events, backends, sys, pci, new HandoverStore(runDir.resolve("gpu")),
                    consoleHolders);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("the " + chosen + " backend cannot start: " + e.getMessage(), e);
        }
        networks = new Networks(new NetworkStore(networkDir != null ? networkDir
                : stateDir.toAbsolutePath().getParent().resolve("networks")), runDir.resolve("net"), dnsmasq, new NetworkEvents());
        networks.open(defaultNetwork);
        manager.useNetworks(networks);
        manager.load();
        sound = new SoundPolicy(pactl, soundServer, stateDir.toAbsolutePath().getParent().resolve("audio.json"),
                manager::list).start();
        Path focusBus = focusSocket != null ? focusSocket : runDir.resolve(org.polydesk.protocol.focus.FocusBus.SOCKET.getFileName());
        usb = new UsbManager(new SysfsUsb(sysfs), stateDir.toAbsolutePath().getParent().resolve("usb.json"),
                new UsbVms(manager)).load();
        usbFollow = UsbVms.follow(events, usb);
        hotplug = new UsbHotplug(usb).start();
        focus = new FocusFollower(focusBus, vm -> {
            sound.focus(vm);
            usb.focus(vm);
        }).start();
        server = RpcServer.serve(api, "polydeskd", new ToolstackService(manager, events,
                focusBus,
                imageDir != null ? imageDir : stateDir.toAbsolutePath().getParent().resolve("images"), pci,
                install, consoleHolders, new Media(mediaDir != null ? mediaDir : stateDir.toAbsolutePath().getParent().resolve("media"),
                        UsbSticks.system(runDir)),
                new HostPower(manager, powerCommand == null ? null : List.of(powerCommand),
                        Duration.ofSeconds(shutdownTimeout)), networks, new NetworkManagerClient(nmcli, nmConnections), sound,
                new HardwareCheck(proc, sys, pci, xl), usb, new SshService(systemctl == null ? null : List.of(systemctl)),
                update)
                .handlers());
        LOG.info("polydeskd serves " + api + " with the " + chosen + " backend (" + manager.accelerator() + ")"
                + (powerCommand == null ? "" : "; host.shutdown and host.reboot run " + powerCommand));
        if (!noAutostart) {
            manager.autostart();
        }
    }

    /** Xen's control domain gets libxl, every other host QEMU; --backend (or the config file) overrides. */
    private String chooseBackend() throws IOException {
        boolean dom0 = isXenControlDomain();
        switch (backend) {
            case "auto":
                return dom0 ? "libxl" : "qemu";
            case "qemu":
                return "qemu";
            case "libxl":
                if (!dom0) {
                    throw new IOException("the libxl backend needs a Xen dom0, and this host is not one ("
                            + XEN_CAPABILITIES + " does not say control_d); use --backend qemu");
                }
                return "libxl";
            default:
                throw new IOException("--backend must be auto, qemu or libxl, not '" + backend + "'");
        }
    }

    private static boolean isXenControlDomain() throws IOException {
        return Files.isReadable(XEN_CAPABILITIES) && Files.readString(XEN_CAPABILITIES).contains("control_d");
    }

    @Override
    public Integer call() throws Exception {
        try {
            open();
        } catch (IOException e) {
            spec.commandLine().getErr().println("polydeskd: " + e.getMessage());
            spec.commandLine().getErr().flush();
            close();
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    /** Stops serving; running VMs go on and are taken back by the next start. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (manager != null) {
            manager.close();
        }
        if (networks != null) {
            networks.close();
        }
        if (focus != null) {
            focus.close();
        }
        if (sound != null) {
            sound.close();
        }
        if (hotplug != null) {
            hotplug.close();
        }
        if (usbFollow != null) {
            usbFollow.run();
        }
        if (usb != null) {
            usb.close();
        }
    }
}
