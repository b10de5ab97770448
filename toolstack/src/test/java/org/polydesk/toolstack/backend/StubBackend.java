package org.polydesk.toolstack.backend;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * A hypervisor backend that runs no hypervisor, for tests of the real polydeskd and of its clients.
 * A "VM" is a small real child process ({@code cat}, reading a pipe from this JVM): its pid is the
 * VM's pid, and its end is reported the way {@code QemuBackend} reports QEMU's — stop and destroy
 * end it on request (stopped), anything else that ends it (a test killing the pid that
 * {@code vm.show} reports) is a crash. Start makes the VM's run directory and reports the sockets a
 * real backend would ({@code <run-dir>/vm/<id>/qmp.sock}, {@code vnc.sock}, and for a VM with a GPU
 * {@code viewer.sock} and the {@code viewer-region} file, which it creates as QEMU's ivshmem
 * backend does): it serves none of them, so a test may put its own there, a real QEMU guest's QMP
 * socket for instance. Passed-through functions go to vfio-pci, as on the QEMU backend.
 *
 * <p>A VM obeys a power-down request at once, unless a test has put the file
 * {@link #IGNORES_POWER_DOWN} in its run directory: then it goes on until forced, like a guest
 * without ACPI support.
 *
 * <p>The VMs do not outlive the daemon: the pipe closes when it exits, however it exits, and
 * {@code cat} ends unreported. A restarted daemon therefore finds every VM stopped ({@link #recover}
 * takes none back), like after a reboot.
 */
public final class StubBackend implements HypervisorBackend {
    private static final Logger LOG = Logger.getLogger(StubBackend.class.getName());
    /** The size QEMU's memory-backend-file gives the viewer's region (QemuCommandLine). */
    private static final long VIEWER_REGION_BYTES = 128L << 20;
    private static final String SAVED = "polydesk stub VM state of ";

    /** The file in a VM's run directory that makes it ignore power-down requests, as a guest without ACPI does. */
    public static final String IGNORES_POWER_DOWN = "ignores-power-down";

    private final Path runDir;
    private final ExitListener listener;
    private final Map<UUID, Vm> running = new ConcurrentHashMap<>();

    private static final class Vm {
        final UUID id;
        final Process process;
        final VmRuntimeDir dir;
        final List<String> gpuFunctions;
        volatile boolean stopRequested;
        volatile boolean destroyRequested;
        volatile boolean forcedAfterTimeout;
        volatile boolean letGo;
        volatile boolean paused;
        volatile boolean suspendRequested;
        volatile int reboots;
        final Map<Integer, Path> cds = new ConcurrentHashMap<>();
        /** The host USB devices it was given, by port. */
        final Map<String, org.polydesk.protocol.usb.UsbDevice> usb = new ConcurrentHashMap<>();
        final CompletableFuture<Void> reported = new CompletableFuture<>();

        Vm(UUID id, Process process, VmRuntimeDir dir, List<String> gpuFunctions) {
            this.id = id;
            this.process = process;
            this.dir = dir;
            this.gpuFunctions = gpuFunctions;
        }
    }

    public StubBackend(Path runDir, ExitListener listener) {
        this.runDir = runDir;
        this.listener = listener;
    }

    @Override
    public String name() {
        return "stub";
    }

    @Override
    public String version() {
        return "stub (no hypervisor)";
    }

    @Override
    public String accelerator() {
        return "none";
    }

    @Override
    public RunningVm start(VmDefinition def, List<String> gpuFunctions) throws BackendException {
        if (running.containsKey(def.id())) {
            throw new BackendException("'" + def.name() + "' is already running");
        }
        VmRuntimeDir dir = VmRuntimeDir.of(runDir, def.id());
        boolean viewer = def.gpu() != null;
        try {
            Files.createDirectories(dir.path());
            if (viewer) {
                Files.deleteIfExists(dir.viewerRegion()); // a new VM's viewer starts on zeroed memory
                try (RandomAccessFile f = new RandomAccessFile(dir.viewerRegion().toFile(), "rw")) {
                    f.setLength(VIEWER_REGION_BYTES);
                }
            }
        } catch (IOException e) {
            throw new BackendException("cannot prepare " + dir.path() + ": " + e.getMessage(), e);
        }
        Process process;
        try {
            // Its stdin is a pipe from this JVM: it ends when the daemon ends.
            process = new ProcessBuilder("cat").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.to(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new BackendException("cannot run the stub VM's process: " + e.getMessage(), e);
        }
        Vm vm = new Vm(def.id(), process, dir, List.copyOf(gpuFunctions));
        running.put(def.id(), vm);
        process.onExit().thenRun(() -> {
            if (running.remove(vm.id, vm) && !vm.letGo) {
                if (viewer) {
                    try {
                        Files.deleteIfExists(dir.viewerRegion());
                    } catch (IOException e) {
                        LOG.warning("cannot remove " + dir.viewerRegion() + ": " + e.getMessage());
                    }
                }
                report(vm);
            }
            vm.reported.complete(null);
        });
        return new RunningVm(def.id(), process.pid(), null, dir.sockets(viewer, true, def.usbTablet()));
    }

    private void report(Vm vm) {
        ExitReason reason;
        String detail;
        if (vm.destroyRequested) {
            reason = ExitReason.DESTROYED;
            detail = "destroyed on request";
        } else if (vm.suspendRequested) {
            reason = ExitReason.SUSPENDED;
            detail = "its state is saved on disk";
        } else if (vm.stopRequested) {
            reason = ExitReason.SHUTDOWN;
            detail = vm.forcedAfterTimeout ? "stopped hard after the guest ignored the power-down request"
                    : "the guest powered off";
        } else {
            reason = ExitReason.CRASHED;
            detail = "the stub VM's process ended unexpectedly (exit status " + vm.process.exitValue() + ")";
        }
        try {
            listener.exited(vm.id, reason, detail);
        } catch (RuntimeException e) {
            LOG.warning("exit listener failed for " + vm.id + ": " + e);
        }
    }

    /** The GPU functions a running VM was given, or null when it is not running. */
    public List<String> gpuFunctions(UUID id) {
        Vm vm = running.get(id);
        return vm == null ? null : vm.gpuFunctions;
    }

    /** A power-down the guest obeys at once (SIGTERM), or ignores ({@link #IGNORES_POWER_DOWN}); forced after {@code timeout}. */
    @Override
    public void stop(UUID id, Duration timeout) throws BackendException {
        Vm vm = instance(id);
        vm.stopRequested = true;
        if (vm.paused) {
            unpause(id); // a stopped process would not see SIGTERM
        }
        if (!Files.exists(vm.dir.path().resolve(IGNORES_POWER_DOWN))) {
            vm.process.destroy();
        }
        try {
            vm.process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            vm.forcedAfterTimeout = true;
            vm.process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        awaitReported(vm);
    }

    @Override
    public void destroy(UUID id) throws BackendException {
        Vm vm = instance(id);
        vm.destroyRequested = true;
        vm.process.destroyForcibly();
        awaitReported(vm);
    }

    /** SIGSTOP: the process stays, its pid unchanged, and does nothing until {@link #unpause}. */
    @Override
    public void pause(UUID id) throws BackendException {
        signal(instance(id), "STOP");
    }

    @Override
    public void unpause(UUID id) throws BackendException {
        signal(instance(id), "CONT");
    }

    private static void signal(Vm vm, String signal) throws BackendException {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(vm.process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new BackendException("kill -" + signal + " " + vm.process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new BackendException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted");
        }
        vm.paused = "STOP".equals(signal);
    }

    /** The guest obeys at once: nothing ends, the number of reboots grows. */
    @Override
    public String reboot(UUID id, Duration timeout) throws BackendException {
        Vm vm = instance(id);
        if (vm.paused) {
            unpause(id);
        }
        vm.reboots++;
        return "the guest restarted";
    }

    /** How often a running VM was rebooted, or -1 when it is not running. */
    public int reboots(UUID id) {
        Vm vm = running.get(id);
        return vm == null ? -1 : vm.reboots;
    }

    /** The saved state of a stub VM: a line naming the VM, which restore checks. */
    @Override
    public void saveState(UUID id, Path image) throws BackendException {
        Vm vm = instance(id);
        if (!vm.paused) {
            pause(id);
        }
        try {
            Files.writeString(image, SAVED + id + "\n");
        } catch (IOException e) {
            throw new BackendException("cannot write " + image + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void endSaved(UUID id) throws BackendException {
        Vm vm = instance(id);
        vm.suspendRequested = true;
        vm.process.destroyForcibly();
        awaitReported(vm);
    }

    @Override
    public RunningVm restore(VmDefinition def, List<String> gpuFunctions, Path image) throws BackendException {
        try {
            if (!Files.readString(image).equals(SAVED + def.id() + "\n")) {
                throw new BackendException("the stub cannot load " + image + ": not a state it saved for " + def.id());
            }
        } catch (IOException e) {
            throw new BackendException("cannot read " + image + ": " + e.getMessage(), e);
        }
        return start(def, gpuFunctions);
    }

    /** The medium in each stub VM's CD drives, by disk number (absent: empty). */
    public Map<Integer, Path> cds(UUID id) {
        Vm vm = running.get(id);
        return vm == null ? Map.of() : Map.copyOf(vm.cds);
    }

    @Override
    public void insertCd(UUID id, int disk, Path medium) throws BackendException {
        instance(id).cds.put(disk, medium);
    }

    @Override
    public void ejectCd(UUID id, int disk) throws BackendException {
        instance(id).cds.remove(disk);
    }

    /** The ports of the host USB devices a stub VM was given (empty when it is not running). */
    public java.util.Set<String> usbDevices(UUID id) {
        Vm vm = running.get(id);
        return vm == null ? java.util.Set.of() : java.util.Set.copyOf(vm.usb.keySet());
    }

    @Override
    public void usbAttach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        instance(id).usb.put(device.port(), device);
    }

    @Override
    public void usbDetach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        if (instance(id).usb.remove(device.port()) == null) {
            throw new BackendException("the stub VM has no USB device " + device.port());
        }
    }

    @Override
    public List<UsbAddress> usbHeld(UUID id) throws BackendException {
        return instance(id).usb.values().stream().map(d -> new UsbAddress(d.bus(), d.address())).toList();
    }

    private static void awaitReported(Vm vm) throws BackendException {
        try {
            vm.reported.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new BackendException("the stub VM's process " + vm.process.pid() + " did not end within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Vm instance(UUID id) throws BackendException {
        Vm vm = running.get(id);
        if (vm == null) {
            throw new BackendException("VM " + id + " is not running");
        }
        return vm;
    }

    /** Its VMs ended with the daemon that ran them: none to take back. */
    @Override
    public List<RunningVm> recover(Collection<VmDefinition> defs, Map<UUID, List<String>> gpuFunctions) {
        return List.of();
    }

    @Override
    public String passthroughDriver() {
        return "vfio-pci";
    }

    @Override
    public void releasePci(String address) {
    }

    /** The daemon is going: its VMs end with it, unreported (as they would if it were killed). */
    @Override
    public void close() {
        for (Vm vm : running.values()) {
            vm.letGo = true;
            vm.process.destroyForcibly();
        }
        running.clear();
    }
}
