package org.polydesk.toolstack.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.polydesk.protocol.qmp.QmpClient;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.PciAddress;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.backend.RunningVm;
import org.polydesk.toolstack.backend.SoundCardArgs;
import org.polydesk.toolstack.backend.VmRuntimeDir;
import org.polydesk.toolstack.definition.VmStateDir;
import org.polydesk.protocol.rpc.UnixSockets;

/**
 * Runs each VM as a qemu-system-x86_64 process. QEMU outlives polydeskd on purpose: the process
 * id, sockets and logs stay in the VM's runtime directory, so a restarted daemon takes the VM back.
 * How a VM ended is read from QMP's SHUTDOWN event: a guest power-off is a stop, an exit without it
 * (a kill, a QEMU crash) is a crash. Suspend migrates QEMU's state into a file; resume starts QEMU
 * with {@code -incoming} from it.
 */
public final class QemuBackend implements HypervisorBackend {
    private static final Duration USB_ATTACH_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(QemuBackend.class.getName());
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration QUIT_GRACE = Duration.ofSeconds(5);
    private static final Duration SAVE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(5);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final QemuSettings settings;
    private final ExitListener listener;
    private final Map<UUID, Instance> running = new ConcurrentHashMap<>();
    private final String accel;

    /** One QEMU process and what polydeskd knows about how it is ending. */
    private static final class Instance {
        final UUID id;
        final ProcessHandle process;
        final Process child; // null when taken back after a daemon restart
        final VmRuntimeDir dir;
        final boolean viewer;
        final boolean tablet;
        /** The VM's swtpm, or null without a TPM. */
        volatile ProcessHandle swtpm;
        volatile QmpClient monitor;
        volatile String shutdownReason;
        volatile boolean stopRequested;
        volatile boolean destroyRequested;
        volatile boolean suspendRequested;
        /** Set while a reboot waits for the guest to power off (which then pauses instead of ending QEMU). */
        volatile java.util.concurrent.CompletableFuture<Void> rebootShutdown;
        /** Completes once the exit listener has been told of this VM's end. */
        final java.util.concurrent.CompletableFuture<Void> reported = new java.util.concurrent.CompletableFuture<>();

        Instance(UUID id, ProcessHandle process, Process child, VmRuntimeDir dir, boolean viewer, boolean tablet) {
            this.id = id;
            this.process = process;
            this.child = child;
            this.dir = dir;
            this.viewer = viewer;
            this.tablet = tablet;
        }

        VmSockets sockets() {
            return dir.sockets(viewer, true, tablet);
        }

        RunningVm toRunningVm() {
            return new RunningVm(id, process.pid(), null, sockets());
        }
    }

    public QemuBackend(QemuSettings settings, ExitListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.accel = "auto".equals(settings.accel()) ? probeAccel() : settings.accel();
    }

    private String probeAccel() {
        Optional<Path> bin = findBinary();
        if (bin.isEmpty()) {
            return "tcg";
        }
        KvmProbe.Result kvm = KvmProbe.probe(bin.get());
        LOG.info(kvm.usable() ? "using KVM" : "using TCG (software emulation): " + kvm.reason());
        return kvm.usable() ? "kvm" : "tcg";
    }

    @Override
    public String name() {
        return "qemu";
    }

    @Override
    public String version() {
        Optional<Path> bin = findBinary();
        if (bin.isEmpty()) {
            return "not installed";
        }
        try {
            Process p = new ProcessBuilder(bin.get().toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public String accelerator() {
        return accel;
    }

    /** QEMU takes host devices through VFIO. */
    @Override
    public String passthroughDriver() {
        return "vfio-pci";
    }

    /** vfio-pci resets a device when QEMU lets go of it; nothing more is needed before dom0's driver. */
    @Override
    public void releasePci(String address) {
    }

    @Override
    public RunningVm start(VmDefinition def, List<String> gpuFunctions) throws BackendException {
        return launch(def, gpuFunctions, null);
    }

    /**
     * Runs QEMU for {@code def}; with {@code image}, QEMU loads the saved state from it before the
     * guest runs, and this returns once it runs where it left off.
     */
    @Override
    public RunningVm restore(VmDefinition def, List<String> gpuFunctions, Path image) throws BackendException {
        if (image.toString().contains("'")) {
            throw new BackendException("the saved state's path " + image + " contains a quote");
        }
        return launch(def, gpuFunctions, image);
    }

    private RunningVm launch(VmDefinition def, List<String> gpuFunctions, Path image) throws BackendException {
        if (running.containsKey(def.id())) {
            throw new BackendException("'" + def.name() + "' is already running");
        }
        Path binary = findBinary().orElseThrow(() -> new BackendException(
                "QEMU is not installed: '" + settings.binary() + "' was not found (apt-get install qemu-system-x86)"));
        checkHostResources(def);
        VmRuntimeDir dir = VmRuntimeDir.of(settings.runDir(), def.id());
        VmStateDir state = VmStateDir.of(settings.stateDir(), def.id());
        prepareDirectory(dir, def);
        QemuCommandLine.UefiFlash uefi = def.firmware() == Firmware.UEFI ? prepareUefiVars(def, state) : null;
        if (!def.hyperv().isEmpty() && !"kvm".equals(accel)) {
            LOG.info("'" + def.name() + "' runs without its Hyper-V enlightenments: they are KVM features, this host"
                    + " uses " + accel + " (which refuses hv-vpindex), and the guest runs correctly without them");
        }
        List<String> cmd = new ArrayList<>(QemuCommandLine.build(binary.toString(), accel, uefi, def,
                gpuFunctions, dir, SoundCardArgs.answering(settings.soundServer(), def)));
        if (image != null) {
            // QEMU reads the image itself (exec: runs through /bin/sh), never writing to it.
            cmd.addAll(List.of("-incoming", "exec:cat '" + image + "'"));
        }
        if (Files.isExecutable(SETSID)) {
            // Its own session: a Ctrl+C or hang-up meant for polydeskd's terminal must not end the VMs.
            cmd.add(0, SETSID.toString());
        }
        ProcessHandle swtpm = def.tpm() ? Swtpm.start(findOnPath(settings.swtpm()).orElseThrow(), state, dir, def.name(),
                Duration.ofSeconds(10)) : null;
        Process process;
        try {
            process = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.qemuLog().toFile())
                    .start();
        } catch (IOException e) {
            if (swtpm != null) {
                Swtpm.stop(swtpm);
                Swtpm.removeFiles(dir);
            }
            throw new BackendException("cannot run " + binary + ": " + e.getMessage(), e);
        }
        Instance vm = new Instance(def.id(), process.toHandle(), process, dir, def.gpu() != null, def.usbTablet());
        vm.swtpm = swtpm;
        try {
            vm.monitor = waitForMonitor(vm, def);
            if (image != null) {
                awaitLoaded(vm, def);
            }
        } catch (BackendException e) {
            process.destroyForcibly();
            waitQuietly(process.toHandle(), Duration.ofSeconds(5));
            stopSwtpm(vm);
            removeSockets(dir);
            throw e;
        }
        running.put(def.id(), vm);
        watch(vm);
        return vm.toRunningVm();
    }

    private Optional<Path> findBinary() {
        return findOnPath(settings.binary());
    }

    private static Optional<Path> findOnPath(String b) {
        if (b.contains("/")) {
            Path p = Path.of(b);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String pathEnv = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : pathEnv.split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, b);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** What must exist on the host before QEMU is worth starting; each missing thing is named. */
    private void checkHostResources(VmDefinition def) throws BackendException {
        List<String> missing = new ArrayList<>();
        if (def.bootloader() != null) {
            missing.add("bootloader '" + def.bootloader() + "' runs only on the Xen backend; give a kernel instead");
        }
        for (Disk d : def.disks()) {
            if (d.empty()) {
                continue;
            }
            Path p = Path.of(d.path());
            if (!Files.exists(p)) {
                missing.add("disk " + p + " does not exist");
            } else if (!Files.isReadable(p)) {
                missing.add("disk " + p + " cannot be read");
            }
        }
        for (String file : new String[] {def.kernel(), def.ramdisk()}) {
            if (file != null && !Files.isReadable(Path.of(file))) {
                missing.add("boot file " + file + " does not exist or cannot be read");
            }
        }
        for (Nic n : def.nics()) {
            if (n.bridge() != null && !Files.exists(Path.of("/sys/class/net", n.bridge(), "bridge"))) {
                missing.add("network bridge '" + n.bridge() + "' does not exist on this host");
            }
        }
        List<String> pci = new ArrayList<>(def.pciDevices());
        if (def.gpu() != null) {
            pci.add(0, def.gpu());
        }
        for (String bdf : pci) {
            if (!Files.exists(Path.of("/sys/bus/pci/devices", PciAddress.canonical(bdf)))) {
                missing.add("PCI device " + bdf + " is not present on this host");
            }
        }
        if (def.firmware() == Firmware.UEFI) {
            QemuSettings.Ovmf ovmf = settings.ovmf();
            for (Path p : List.of(ovmf.code(def.secureBoot()), ovmf.varsTemplate(def.secureBoot()))) {
                if (!Files.isReadable(p)) {
                    missing.add("UEFI firmware " + p + " is missing (apt-get install ovmf)");
                }
            }
        }
        if (def.tpm() && findOnPath(settings.swtpm()).isEmpty()) {
            missing.add("its TPM 2.0 needs swtpm, which is not installed: '" + settings.swtpm()
                    + "' was not found (apt-get install swtpm swtpm-tools)");
        }
        if (!missing.isEmpty()) {
            throw new BackendException("cannot start '" + def.name() + "': " + String.join("; ", missing));
        }
    }

    private void prepareDirectory(VmRuntimeDir dir, VmDefinition def) throws BackendException {
        try {
            Files.createDirectories(dir.path());
            Files.setPosixFilePermissions(dir.path(), PosixFilePermissions.fromString("rwxr-x---"));
            List<Path> sockets = new ArrayList<>(List.of(dir.vncSocket(), dir.qmpSocket(), dir.monitorSocket()));
            if (def.gpu() != null) {
                sockets.add(dir.viewerSocket());
            }
            for (Path s : sockets) {
                if (Files.exists(s)) {
                    if (UnixSockets.someoneListens(s)) {
                        throw new BackendException("cannot start '" + def.name() + "': socket " + s
                                + " is in use by another process");
                    }
                    Files.delete(s); // left over from a VM that is gone
                }
            }
            Files.deleteIfExists(dir.pidFile());
            Files.deleteIfExists(dir.consoleLog());
            Files.deleteIfExists(dir.viewerRegion()); // a new VM's viewer starts on zeroed memory
        } catch (IOException e) {
            throw new BackendException("cannot prepare " + dir.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The VM's own UEFI variable store, begun as a copy of OVMF's template on its first start (written
     * beside it and renamed, so a crash leaves no half copy); its boot entries persist from then on.
     */
    private QemuCommandLine.UefiFlash prepareUefiVars(VmDefinition def, VmStateDir state) throws BackendException {
        boolean secure = def.secureBoot();
        Path vars = state.uefiVars(secure);
        try {
            if (!Files.exists(vars)) {
                Files.createDirectories(state.path());
                Path tmp = state.path().resolve(".tmp-" + vars.getFileName());
                Files.copy(settings.ovmf().varsTemplate(secure), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, vars, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new BackendException("cannot prepare the UEFI variables of '" + def.name() + "' in " + vars + ": "
                    + e.getMessage(), e);
        }
        return new QemuCommandLine.UefiFlash(settings.ovmf().code(secure), vars);
    }

    private static void stopSwtpm(Instance vm) {
        ProcessHandle swtpm = vm.swtpm;
        if (swtpm != null) {
            Swtpm.stop(swtpm);
            Swtpm.removeFiles(vm.dir);
        }
    }

    private QmpClient waitForMonitor(Instance vm, VmDefinition def) throws BackendException {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            if (!vm.process.isAlive()) {
                throw new BackendException("QEMU for '" + def.name() + "' exited at once: " + logTail(vm.dir));
            }
            if (Files.exists(vm.dir.monitorSocket())) {
                try {
                    return QmpClient.connect(vm.dir.monitorSocket(), event -> onEvent(vm, event), QMP_TIMEOUT);
                } catch (IOException e) {
                    // The socket file appears a moment before QEMU listens on it; try again.
                }
            }
            sleep(50);
        }
        throw new BackendException("QEMU for '" + def.name() + "' did not open its monitor within "
                + settings.startTimeout().toSeconds() + " s: " + logTail(vm.dir));
    }

    /** Waits while QEMU loads a saved state, then lets the guest run (it was saved paused). */
    private void awaitLoaded(Instance vm, VmDefinition def) throws BackendException {
        long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String status;
            try {
                status = vm.monitor.execute("query-status", null, QMP_TIMEOUT).path("status").asText();
            } catch (IOException e) {
                waitQuietly(vm.process, Duration.ofSeconds(2));
                throw new BackendException("QEMU could not load the saved state of '" + def.name() + "': "
                        + logTail(vm.dir), e);
            }
            if (!"inmigrate".equals(status)) {
                if (!"running".equals(status)) {
                    command(vm, "cont", null);
                }
                return;
            }
            sleep(100);
        }
        throw new BackendException("QEMU did not load the saved state of '" + def.name() + "' within "
                + RESTORE_TIMEOUT.toSeconds() + " s");
    }

    private void onEvent(Instance vm, JsonNode event) {
        if ("SHUTDOWN".equals(event.path("event").asText())) {
            java.util.concurrent.CompletableFuture<Void> reboot = vm.rebootShutdown;
            if (reboot != null) {
                reboot.complete(null); // the guest obeyed; QEMU pauses instead of ending (set-action)
                return;
            }
            vm.shutdownReason = event.path("data").path("reason").asText("unknown");
        }
    }

    /** Reports the VM's end once, when its process is gone and its monitor has said its last word. */
    private void watch(Instance vm) {
        vm.process.onExit().thenRun(() -> {
            QmpClient monitor = vm.monitor;
            if (monitor != null) {
                try {
                    monitor.closed().get(2, TimeUnit.SECONDS);
                } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                    monitor.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (running.remove(vm.id, vm)) {
                stopSwtpm(vm);
                removeSockets(vm.dir);
                report(vm);
            }
            vm.reported.complete(null);
        });
    }

    private void report(Instance vm) {
        ExitReason reason;
        String detail;
        String exit = vm.child == null ? "" : " (exit status " + vm.child.exitValue() + ")";
        if (vm.destroyRequested) {
            reason = ExitReason.DESTROYED;
            detail = "destroyed on request";
        } else if (vm.suspendRequested) {
            reason = ExitReason.SUSPENDED;
            detail = "its state is saved on disk";
        } else if ("guest-shutdown".equals(vm.shutdownReason)) {
            reason = ExitReason.SHUTDOWN;
            detail = "the guest powered off";
        } else if (vm.stopRequested) {
            reason = ExitReason.SHUTDOWN;
            detail = "stopped hard after the guest ignored the power-down request";
        } else {
            reason = ExitReason.CRASHED;
            detail = "QEMU ended unexpectedly" + exit
                    + (vm.shutdownReason == null ? "" : " (shutdown reason " + vm.shutdownReason + ")")
                    + ": " + logTail(vm.dir);
        }
        try {
            listener.exited(vm.id, reason, detail);
        } catch (RuntimeException e) {
            LOG.warning("exit listener failed for " + vm.id + ": " + e);
        }
    }

    @Override
    public void stop(UUID id, Duration timeout) throws BackendException {
        Instance vm = instance(id);
        vm.stopRequested = true;
        try {
            vm.monitor.execute("cont", null, QMP_TIMEOUT); // a paused guest cannot see the button
            vm.monitor.execute("system_powerdown", null, QMP_TIMEOUT);
        } catch (IOException e) {
            LOG.info("power-down request to " + id + " failed (" + e.getMessage() + "); stopping hard");
        }
        if (waitQuietly(vm.process, timeout)) {
            awaitReported(vm);
            return;
        }
        try {
            vm.monitor.execute("quit", null, QMP_TIMEOUT);
        } catch (IOException e) {
            // QEMU may close the monitor before answering quit; its exit is what counts.
        }
        if (!waitQuietly(vm.process, QUIT_GRACE)) {
            vm.process.destroyForcibly();
            waitQuietly(vm.process, QUIT_GRACE);
        }
        awaitReported(vm);
    }

    @Override
    public void destroy(UUID id) throws BackendException {
        Instance vm = instance(id);
        vm.destroyRequested = true;
        vm.process.destroyForcibly();
        if (!waitQuietly(vm.process, Duration.ofSeconds(10))) {
            throw new BackendException("QEMU process " + vm.process.pid() + " did not die after SIGKILL");
        }
        awaitReported(vm);
    }

    @Override
    public void pause(UUID id) throws BackendException {
        command(instance(id), "stop", null);
    }

    @Override
    public void unpause(UUID id) throws BackendException {
        command(instance(id), "cont", null);
    }

    /**
     * The guest's power-off answered with a reset: QEMU is told to pause on the guest's shutdown
     * instead of ending, the power button pressed, and on the guest's shutdown (or after the timeout)
     * the machine reset and run on.
     */
    @Override
    public String reboot(UUID id, Duration timeout) throws BackendException {
        Instance vm = instance(id);
        java.util.concurrent.CompletableFuture<Void> shutdown = new java.util.concurrent.CompletableFuture<>();
        command(vm, "set-action", Json.mapper().createObjectNode().put("shutdown", "pause"));
        vm.rebootShutdown = shutdown;
        boolean obeyed;
        try {
            command(vm, "cont", null); // a paused guest cannot see the button
            try {
                vm.monitor.execute("system_powerdown", null, QMP_TIMEOUT);
            } catch (IOException e) {
                LOG.info("power-down request to " + id + " failed (" + e.getMessage() + "); resetting");
            }
            try {
                shutdown.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                obeyed = true;
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                obeyed = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while rebooting " + id);
            }
            command(vm, "system_reset", null);
            contAfterReset(vm);
        } finally {
            vm.rebootShutdown = null;
            try {
                command(vm, "set-action", Json.mapper().createObjectNode().put("shutdown", "poweroff"));
            } catch (BackendException e) {
                LOG.warning("cannot restore the shutdown action of " + id + ": " + e.getMessage());
            }
        }
        return obeyed ? "the guest restarted" : "reset after the guest ignored the restart request for "
                + timeout.toSeconds() + " s";
    }

    /**
     * Stops the guest's CPUs and migrates QEMU's state into a socket of polydeskd's, which copies it
     * to {@code image}: polydeskd knows the image is whole when the stream ends, whereas
     * {@code exec:cat > file} may still be writing when QEMU reports the migration complete.
     */
    /** QEMU carries out a reset request in its main loop, after answering it: cont may come too early once. */
    private static void contAfterReset(Instance vm) throws BackendException {
        long deadline = System.nanoTime() + QMP_TIMEOUT.toNanos();
        while (true) {
            try {
                command(vm, "cont", null);
                return;
            } catch (BackendException e) {
                if (System.nanoTime() > deadline || !e.getMessage().contains("Resetting")) {
                    throw e;
                }
                sleep(50);
            }
        }
    }

    @Override
    public void saveState(UUID id, Path image) throws BackendException {
        Instance vm = instance(id);
        Path socket = vm.dir.path().resolve("save.sock");
        command(vm, "stop", null);
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            Files.deleteIfExists(socket);
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            java.util.concurrent.CompletableFuture<Long> copied = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (java.nio.channels.SocketChannel in = server.accept();
                     java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(image,
                             java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                             java.nio.file.StandardOpenOption.WRITE)) {
                    long total = 0;
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 20);
                    while (in.read(buf) >= 0) {
                        buf.flip();
                        while (buf.hasRemaining()) {
                            total += out.write(buf);
                        }
                        buf.clear();
                    }
                    out.force(true);
                    return total;
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            command(vm, "migrate", Json.mapper().createObjectNode().put("uri", "unix:" + socket));
            long deadline = System.nanoTime() + SAVE_TIMEOUT.toNanos();
            while (true) {
                JsonNode m = command(vm, "query-migrate", null);
                String status = m.path("status").asText();
                if ("completed".equals(status)) {
                    break;
                }
                if ("failed".equals(status) || "cancelled".equals(status)) {
                    throw new BackendException("QEMU could not save the state: " + m.path("error-desc").asText(status));
                }
                if (System.nanoTime() > deadline) {
                    command(vm, "migrate_cancel", null);
                    throw new BackendException("saving the state took longer than " + SAVE_TIMEOUT.toSeconds() + " s");
                }
                sleep(100);
            }
            long bytes = copied.get(60, TimeUnit.SECONDS);
            LOG.info("saved the state of " + id + " to " + image + " (" + bytes + " bytes)");
        } catch (IOException | TimeoutException | java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BackendException("cannot save the state to " + image + ": " + cause.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while saving the state of " + id);
        } finally {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.warning("cannot remove " + socket + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void endSaved(UUID id) throws BackendException {
        Instance vm = instance(id);
        vm.suspendRequested = true;
        try {
            vm.monitor.execute("quit", null, QMP_TIMEOUT);
        } catch (IOException e) {
            // QEMU may close the monitor before answering quit; its exit is what counts.
        }
        if (!waitQuietly(vm.process, QUIT_GRACE)) {
            vm.process.destroyForcibly();
            waitQuietly(vm.process, QUIT_GRACE);
        }
        awaitReported(vm);
    }

    @Override
    public void insertCd(UUID id, int disk, Path medium) throws BackendException {
        command(instance(id), "blockdev-change-medium", Json.mapper().createObjectNode()
                .put("device", QemuCommandLine.driveId(disk)).put("filename", medium.toString()).put("format", "raw")
                .put("read-only-mode", "read-only"));
    }

    @Override
    public void ejectCd(UUID id, int disk) throws BackendException {
        command(instance(id), "eject", Json.mapper().createObjectNode()
                .put("device", QemuCommandLine.driveId(disk)).put("force", true));
    }

    @Override
    public void setNicLink(UUID id, int nic, boolean up) throws BackendException {
        // Named by its netdev, QEMU sets the NIC's link too, and the guest's driver sees the carrier change.
        command(instance(id), "set_link", Json.mapper().createObjectNode().put("name", QemuCommandLine.netdevId(nic)).put("up", up));
    }

    @Override
    public void usbAttach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        Instance vm = instance(id);
        String qid = QemuCommandLine.usbHostId(device.port());
        removeUsbHost(vm, qid); // left from an earlier plug at this port
        long deadline = System.nanoTime() + USB_ATTACH_TIMEOUT.toNanos();
        // QEMU's libusb learns of a device plugged in from udevd, after the kernel told polydeskd:
        // until then QEMU does not know it ("failed to find host usb device"), so it is asked again.
        while (true) {
            try {
                command(vm, "device_add", Json.mapper().createObjectNode().put("driver", "usb-host").put("id", qid)
                        .put("bus", QemuCommandLine.USB_CONTROLLER + ".0").put("hostbus", device.bus())
                        .put("hostaddr", device.address()));
                break;
            } catch (BackendException e) {
                if (!e.getMessage().contains("failed to find host usb device") || System.nanoTime() > deadline) {
                    throw e;
                }
                usbWait(vm, qid, 100);
            }
        }
        // usb-host waits for a device that is not (or no longer) there instead of failing: the guest
        // has it only once it is attached to the controller.
        while (true) {
            JsonNode attached = command(vm, "qom-get", Json.mapper().createObjectNode()
                    .put("path", "/machine/peripheral/" + qid).put("property", "attached"));
            if (attached.asBoolean(false)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                removeUsbHost(vm, qid);
                throw new BackendException("QEMU could not open USB device " + device.bus() + "." + device.address()
                        + " (" + device.port() + ") within " + USB_ATTACH_TIMEOUT.toSeconds() + " s: " + logTail(vm.dir));
            }
            usbWait(vm, qid, 50);
        }
    }

    private static void usbWait(Instance vm, String qid, long ms) throws BackendException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            removeUsbHost(vm, qid);
            throw new BackendException("interrupted while giving USB device " + qid);
        }
    }

    @Override
    public void usbDetach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        Instance vm = instance(id);
        String qid = QemuCommandLine.usbHostId(device.port());
        if (!removeUsbHost(vm, qid)) {
            throw new BackendException("the VM has no USB device " + device.port());
        }
    }

    /** The usb-host devices polydeskd added (ids usb-PORT), by the bus and address QEMU opened. */
    @Override
    public List<UsbAddress> usbHeld(UUID id) throws BackendException {
        Instance vm = instance(id);
        List<UsbAddress> held = new ArrayList<>();
        for (JsonNode child : command(vm, "qom-list", Json.mapper().createObjectNode().put("path", "/machine/peripheral"))) {
            String name = child.path("name").asText();
            if (name.startsWith("usb-") && child.path("type").asText().equals("child<usb-host>")) {
                String path = "/machine/peripheral/" + name;
                int bus = command(vm, "qom-get", Json.mapper().createObjectNode().put("path", path).put("property", "hostbus")).asInt();
                int addr = command(vm, "qom-get", Json.mapper().createObjectNode().put("path", path).put("property", "hostaddr")).asInt();
                held.add(new UsbAddress(bus, addr));
            }
        }
        return held;
    }

    /** device_del of a usb-host (USB unplug needs no guest cooperation); false if it had none by that id. */
    private static boolean removeUsbHost(Instance vm, String qid) throws BackendException {
        try {
            command(vm, "device_del", Json.mapper().createObjectNode().put("id", qid));
            return true;
        } catch (BackendException e) {
            if (e.getMessage().contains("not found")) {
                return false;
            }
            throw e;
        }
    }

    /** One QMP command on polydeskd's monitor; QEMU's refusal becomes the error's message. */
    private static JsonNode command(Instance vm, String name, com.fasterxml.jackson.databind.node.ObjectNode args)
            throws BackendException {
        QmpClient monitor = vm.monitor;
        if (monitor == null) {
            throw new BackendException("the monitor of " + vm.id + " does not answer");
        }
        try {
            return monitor.execute(name, args, QMP_TIMEOUT);
        } catch (IOException e) {
            throw new BackendException("QEMU refused " + name + ": " + e.getMessage(), e);
        }
    }

    /** Waits until the exit watcher has reported the VM, so callers see the final state. */
    private static void awaitReported(Instance vm) {
        try {
            vm.reported.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.warning("the end of " + vm.id + " was not reported within 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Instance instance(UUID id) throws BackendException {
        Instance vm = running.get(id);
        if (vm == null) {
            throw new BackendException("VM " + id + " is not running");
        }
        return vm;
    }

    @Override
    public List<RunningVm> recover(Collection<VmDefinition> defs, Map<UUID, List<String>> gpuFunctions) {
        List<RunningVm> found = new ArrayList<>();
        for (VmDefinition def : defs) {
            VmRuntimeDir dir = VmRuntimeDir.of(settings.runDir(), def.id());
            Optional<ProcessHandle> process = runningQemu(dir, def.id());
            if (process.isEmpty()) {
                if (Files.isDirectory(dir.path())) {
                    Swtpm.running(dir).ifPresent(Swtpm::stop);
                    Swtpm.removeFiles(dir);
                    removeSockets(dir);
                }
                continue;
            }
            Instance vm = new Instance(def.id(), process.get(), null, dir, Files.exists(dir.viewerSocket()), def.usbTablet());
            vm.swtpm = Swtpm.running(dir).orElse(null);
            try {
                vm.monitor = QmpClient.connect(dir.monitorSocket(), event -> onEvent(vm, event), QMP_TIMEOUT);
            } catch (IOException e) {
                LOG.warning("'" + def.name() + "' runs as pid " + vm.process.pid()
                        + " but its monitor does not answer (" + e.getMessage() + "); watching its process only");
            }
            running.put(def.id(), vm);
            watch(vm);
            found.add(new RunningVm(def.id(), vm.process.pid(), null, vm.sockets(), paused(vm)));
        }
        return found;
    }

    /** Whether a taken-back QEMU's CPUs are stopped (paused on request, or left after a save). */
    private static boolean paused(Instance vm) {
        try {
            return vm.monitor != null && !vm.monitor.execute("query-status", null, QMP_TIMEOUT).path("running").asBoolean(true);
        } catch (IOException e) {
            return false;
        }
    }

    /** The QEMU named by the VM's pid file, if that process still lives and is really this VM's QEMU. */
    private static Optional<ProcessHandle> runningQemu(VmRuntimeDir dir, UUID id) {
        try {
            long pid = Long.parseLong(Files.readString(dir.pidFile()).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (handle.isEmpty()) {
                return Optional.empty();
            }
            // The pid may have been reused since: only our QEMU carries this VM's uuid.
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            return cmdline.contains("-uuid\0" + id + "\0") ? handle : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void removeSockets(VmRuntimeDir dir) {
        for (Path p : List.of(dir.vncSocket(), dir.qmpSocket(), dir.monitorSocket(), dir.viewerSocket(),
                dir.viewerRegion(), dir.pidFile())) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warning("cannot remove " + p + ": " + e.getMessage());
            }
        }
    }

    private static String logTail(VmRuntimeDir dir) {
        try {
            List<String> lines = Files.readAllLines(dir.qemuLog(), StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return tail.isEmpty() ? "QEMU printed nothing" : String.join(" | ", tail).strip();
        } catch (IOException e) {
            return "no QEMU log";
        }
    }

    private static boolean waitQuietly(ProcessHandle p, Duration timeout) {
        try {
            p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Instance vm : running.values()) {
            if (vm.monitor != null) {
                vm.monitor.close();
            }
        }
        running.clear();
    }
}
