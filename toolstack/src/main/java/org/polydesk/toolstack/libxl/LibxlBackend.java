package org.polydesk.toolstack.libxl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.toolstack.HostInfo;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.host.XenPackage;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.backend.RunningVm;
import org.polydesk.toolstack.backend.SoundCardArgs;
import org.polydesk.toolstack.backend.VmRuntimeDir;
import org.polydesk.protocol.rpc.UnixSockets;

/**
 * Runs each VM as a Xen domain through libxl. libxl leaves the acting on a guest's shutdown to
 * the toolstack: a thread of its own waits for libxl's events, destroys a domain that powered
 * off or crashed (reporting why), and re-creates one that asked to reboot.
 *
 * <p>A suspend to disk is libxl_domain_suspend into the image file, then the domain's destruction;
 * libxl's stream holds no configuration, so a resume rebuilds the domain's configuration from the
 * definition it ran as (as a start does) and hands it, with the image, to libxl_domain_create_restore.
 * A CD is changed by libxl_cdrom_insert, as xl's cd-insert and cd-eject do it; an empty drive starts
 * with a placeholder medium that is ejected before the guest runs ({@link #ejectPlaceholders}).
 */
public final class LibxlBackend implements HypervisorBackend {
    private static final Logger LOG = Logger.getLogger(LibxlBackend.class.getName());
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    private static final String EMPTY_CD = "empty-cd.iso";
    private static final int EMPTY_CD_BYTES = 64 * 1024;
    /** How long a domain that shut down to reboot may take to be destroyed and created again. */
    private static final Duration REMAKE_TIMEOUT = Duration.ofSeconds(120);

    private final Libxl xl;
    private final Path runDir;
    private final ExitListener listener;
    /** Our device model (with sound), or null: Debian's, without. */
    private final Path deviceModel;
    private final Path soundServer;
    private final Path proc;
    private final Map<UUID, Domain> byId = new ConcurrentHashMap<>();
    private final Map<Integer, Domain> byDomid = new ConcurrentHashMap<>();
    private final String version;
    private Thread eventThread;

    /** A running domain and what polydeskd knows about how it is ending. */
    private static final class Domain {
        /**
         * What the domain is made with, the CD media changed while it runs included: a domain made
         * again for a reboot gets the media that were in its drives, as a PC's drive keeps its disc.
         * Changed only under this Domain's lock.
         */
        volatile VmDefinition def;
        final VmRuntimeDir dir;
        final List<String> gpuFunctions;
        volatile int domid;
        volatile boolean stopRequested;
        volatile boolean destroyRequested;
        volatile boolean rebooting;
        /** Its state was saved and it is being ended for that ({@link #endSaved}). */
        volatile boolean saved;
        /**
         * Paused through {@link #pause}: Xen refuses to unpause a domain that is not. A domain made
         * again for a reboot is left paused while this holds. Changed, and the domain made again,
         * only under this Domain's lock, so that a pause or resume never lands on the domain that
         * is going while its successor runs on.
         */
        volatile boolean paused;
        /** Set when the domain shut down; reported when it is dead. */
        volatile ExitReason reason;
        volatile String detail;
        final CompletableFuture<Void> reported = new CompletableFuture<>();
        /** The host's USB devices given to it, given again to a domain made for its reboot; under this Domain's lock. */
        final Set<UsbAddress> usb = new LinkedHashSet<>();

        Domain(VmDefinition def, VmRuntimeDir dir, List<String> gpuFunctions, int domid) {
            this.def = def;
            this.dir = dir;
            this.gpuFunctions = gpuFunctions;
            this.domid = domid;
        }

    }

    /**
     * {@code deviceModel}: the QEMU to run as HVM guests' device model, giving them their sound card
     * into {@code soundServer}; null (or not installed): Debian's, and no sound card.
     */
    public LibxlBackend(Path runDir, ExitListener listener, Path deviceModel, Path soundServer, Path proc)
            throws LibxlException {
        this(LibxlContext.open(), runDir, listener, deviceModel, soundServer, proc);
    }

    LibxlBackend(Libxl xl, Path runDir, ExitListener listener, Path deviceModel, Path soundServer, Path proc)
            throws LibxlException {
        this.xl = xl;
        this.runDir = runDir;
        this.listener = listener;
        this.deviceModel = deviceModel != null && Files.isExecutable(deviceModel) ? deviceModel : null;
        this.soundServer = soundServer;
        this.proc = proc;
        if (deviceModel != null && this.deviceModel == null) {
            LOG.warning("no device model at " + deviceModel + " (package polydesk-device-model): HVM guests get"
                    + " Debian's, without their sound card");
        }
        JsonNode v = xl.versionInfo();
        this.version = "Xen " + v.path("xen_version_major").asInt() + "." + v.path("xen_version_minor").asInt()
                + v.path("xen_version_extra").asText("");
    }

    /**
     * Starts the event thread once the first domain is watched. A thread already blocked in
     * libxl_event_wait may poll a stale set of descriptors, so it must enter the wait after the
     * xenstore connection the death watches share exists.
     */
    private synchronized void ensureEventThread() {
        if (eventThread == null) {
            eventThread = new Thread(this::eventLoop, "libxl-events");
            eventThread.setDaemon(true);
            eventThread.start();
        }
    }

    @Override
    public String name() {
        return "libxl";
    }

    @Override
    public boolean makesNicInterfaces() {
        return true;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String accelerator() {
        return "xen";
    }

    @Override
    public HostInfo.HypervisorBuild build() {
        return XenPackage.installed(Path.of("/")).orElse(null);
    }

    @Override
    public RunningVm start(VmDefinition def, List<String> gpuFunctions) throws BackendException {
        return launch(def, gpuFunctions, null);
    }

    /** Starts the domain anew, or with {@code image} from the state {@link #saveState} saved there. */
    private RunningVm launch(VmDefinition def, List<String> gpuFunctions, Path image) throws BackendException {
        String verb = image == null ? "start" : "resume";
        if (byId.containsKey(def.id())) {
            throw new BackendException("'" + def.name() + "' is already running");
        }
        // A definition stored before this host ran Xen (or moved from a QEMU host) was never checked here.
        List<org.polydesk.protocol.rpc.Problem> unsupported = unsupportedOnXen(def);
        if (!unsupported.isEmpty()) {
            throw new BackendException("cannot " + verb + " '" + def.name() + "': " + String.join("; ",
                    unsupported.stream().map(org.polydesk.protocol.rpc.Problem::problem).toList()));
        }
        if (deviceModel == null && def.sound() != org.polydesk.protocol.vm.SoundCard.NONE && def.type() == GuestType.HVM) {
            // Not given to Debian's device model: its qemu-system-xen has no PulseAudio backend, and
            // QEMU would pick one of its own (a wav file) for a card without one.
            LOG.info("'" + def.name() + "' runs without its sound card: Xen's device model here cannot play into"
                    + " dom0's sound server");
        }
        VmRuntimeDir dir = VmRuntimeDir.of(runDir, def.id());
        prepareDirectory(def, dir);
        Domain domain = new Domain(def, dir, gpuFunctions, create(def, dir, gpuFunctions, image, false));
        byId.put(def.id(), domain);
        byDomid.put(domain.domid, domain);
        return running(domain);
    }

    /**
     * Creates the domain (with {@code image}: restores it from the state saved there), watches it and,
     * unless {@code stayPaused}, unpauses it; on failure nothing is left behind.
     */
    private int create(VmDefinition def, VmRuntimeDir dir, List<String> gpuFunctions, Path image, boolean stayPaused)
            throws BackendException {
        String verb = image == null ? "start" : "resume";
        int domid;
        try {
            String config = LibxlDomainConfig.of(def, dir, gpuFunctions, emptyCd(), deviceModel == null ? null
                    : new LibxlDomainConfig.DeviceModel(deviceModel, SoundCardArgs.answering(soundServer, def))).toString();
            if (image == null) {
                domid = xl.createDomain(config);
            } else {
                try (SavedStateFile saved = SavedStateFile.open(image)) {
                    domid = xl.restoreDomain(config, saved.fd(), LibxlDomainConfig.restoreParams().toString());
                }
            }
        } catch (LibxlException e) {
            throw new BackendException("cannot " + verb + " '" + def.name() + "': " + e.getMessage(), e);
        }
        try {
            xl.watchDeath(domid);
            ensureEventThread();
            ejectPlaceholders(def, domid);
            if (!stayPaused) {
                xl.unpause(domid);
            }
            if (def.type() == GuestType.HVM) {
                awaitSocket(def, dir.qmpSocket());
            }
            return domid;
        } catch (LibxlException | BackendException e) {
            xl.unwatchDeath(domid);
            destroyQuietly(domid);
            throw e instanceof BackendException b ? b
                    : new BackendException("cannot " + verb + " '" + def.name() + "': " + e.getMessage(), e);
        }
    }

    private void prepareDirectory(VmDefinition def, VmRuntimeDir dir) throws BackendException {
        try {
            Files.createDirectories(dir.path());
            Files.setPosixFilePermissions(dir.path(), PosixFilePermissions.fromString("rwxr-x---"));
            for (Path s : List.of(dir.vncSocket(), dir.qmpSocket(), dir.viewerSocket())) {
                if (Files.exists(s)) {
                    if (UnixSockets.someoneListens(s)) {
                        throw new BackendException("cannot start '" + def.name() + "': socket " + s
                                + " is in use by another process");
                    }
                    Files.delete(s);
                }
            }
        } catch (IOException e) {
            throw new BackendException("cannot prepare " + dir.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The domain as the manager knows it. Only an HVM guest has a device model, and so our sockets,
     * and the pid its sound streams carry (read from procfs, as the domain is now).
     */
    private RunningVm running(Domain domain) {
        boolean hvm = domain.def.type() == GuestType.HVM;
        return new RunningVm(domain.def.id(), hvm ? DeviceModelProcess.of(proc, domain.domid).orElse(null) : null,
                domain.domid, hvm ? domain.dir.sockets(domain.def.gpu() != null, false, domain.def.usbTablet()) : null);
    }

    /** The device model opens our sockets a little after libxl returns; the start is done when it has. */
    private static void awaitSocket(VmDefinition def, Path socket) throws BackendException {
        long deadline = System.nanoTime() + SOCKET_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (UnixSockets.someoneListens(socket)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new BackendException("the device model of '" + def.name() + "' did not open " + socket
                + " within " + SOCKET_TIMEOUT.toSeconds() + " s");
    }

    private void eventLoop() {
        while (true) {
            LibxlEvent event;
            try {
                event = xl.waitEvent();
            } catch (LibxlException e) {
                LOG.log(Level.SEVERE, "libxl event loop failed; VM ends will go unnoticed", e);
                return;
            }
            try {
                handle(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot handle libxl event " + event, e);
            }
        }
    }

    private void handle(LibxlEvent event) {
        Domain domain = byDomid.get(event.domid());
        if (domain == null) {
            LOG.info("libxl event for a domain polydeskd does not run: " + event.json());
            return;
        }
        LOG.info("domain " + domain.domid + " ('" + domain.def.name() + "'): " + event.json());
        switch (event.type()) {
            case SHUTDOWN -> onShutdown(domain, event.shutdownReason());
            case DEATH -> onDeath(domain);
            case OTHER -> { }
        }
    }

    /** A shut-down domain still holds its memory: classify why, then destroy it. */
    private void onShutdown(Domain domain, int reason) {
        switch (reason) {
            case LibxlEvent.REASON_POWEROFF -> end(domain, ExitReason.SHUTDOWN, "the guest powered off");
            case LibxlEvent.REASON_REBOOT -> domain.rebooting = true;
            case LibxlEvent.REASON_SUSPEND -> {
                // libxl_domain_suspend is saving it: saveState and endSaved decide what comes next.
                return;
            }
            case LibxlEvent.REASON_CRASH -> end(domain, ExitReason.CRASHED, "the guest crashed");
            case LibxlEvent.REASON_WATCHDOG -> end(domain, ExitReason.CRASHED, "the guest's watchdog fired");
            default -> end(domain, ExitReason.CRASHED, "the guest shut down for reason " + reason);
        }
        try {
            xl.destroy(domain.domid);
        } catch (LibxlException e) {
            LOG.warning("cannot destroy shut-down domain " + domain.domid + ": " + e.getMessage());
        }
    }

    private static void end(Domain domain, ExitReason reason, String detail) {
        if (domain.reason == null) {
            domain.reason = reason;
            domain.detail = detail;
        }
    }

    private void onDeath(Domain domain) {
        xl.unwatchDeath(domain.domid);
        byDomid.remove(domain.domid, domain);
        if (domain.rebooting && !domain.destroyRequested && !domain.stopRequested) {
            boolean remade = false;
            synchronized (domain) {
                try {
                    // Paused while it rebooted (the pause reached the domain that went, or none):
                    // the user's pause holds for the domain made for it.
                    domain.domid = create(domain.def, domain.dir, domain.gpuFunctions, null, domain.paused);
                    byDomid.put(domain.domid, domain);
                    giveUsbAgain(domain);
                    remade = true;
                } catch (BackendException e) {
                    end(domain, ExitReason.CRASHED, "the guest asked to reboot but could not be started again: " + e.getMessage());
                } finally {
                    // Only once the new domid is set (or the VM has ended): reboot() must never see it
                    // neither rebooting nor made again. And before the listener hears of it: a call that
                    // waits for the remake (onDomain) may hold the lock the listener takes (VmManager's).
                    domain.rebooting = false;
                    domain.notifyAll();
                }
            }
            if (remade) {
                if (domain.destroyRequested) {
                    // Destroyed while it was being made again (destroyNow had the old domain): this one goes too.
                    destroyQuietly(domain.domid);
                } else {
                    listener.remade(domain.def.id(), running(domain));
                }
                return;
            }
        }
        if (domain.destroyRequested) {
            domain.reason = ExitReason.DESTROYED;
            domain.detail = "destroyed on request";
        } else if (domain.saved) {
            domain.reason = ExitReason.SUSPENDED;
            domain.detail = "its state is saved on disk";
        } else if (domain.reason == null && domain.stopRequested) {
            end(domain, ExitReason.SHUTDOWN, "stopped hard after the guest ignored the power-down request");
        } else {
            end(domain, ExitReason.CRASHED, "the domain was destroyed from outside polydeskd");
        }
        byId.remove(domain.def.id(), domain);
        for (Path p : List.of(domain.dir.vncSocket(), domain.dir.qmpSocket(), domain.dir.viewerSocket())) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warning("cannot remove " + p + ": " + e.getMessage());
            }
        }
        try {
            listener.exited(domain.def.id(), domain.reason, domain.detail);
        } finally {
            domain.reported.complete(null);
        }
    }

    @Override
    public void stop(UUID id, Duration timeout) throws BackendException {
        Domain domain = domain(id);
        domain.stopRequested = true;
        try {
            runIfPaused(domain);
            xl.shutdown(domain.domid);
        } catch (LibxlException e) {
            LOG.info("shutdown request to domain " + domain.domid + " failed (" + e.getMessage() + "); destroying it");
        }
        if (!awaitReported(domain, timeout)) {
            destroyNow(domain);
        }
    }

    @Override
    public void destroy(UUID id) throws BackendException {
        Domain domain = domain(id);
        domain.destroyRequested = true;
        destroyNow(domain);
    }

    private void destroyNow(Domain domain) throws BackendException {
        int domid = domain.domid;
        try {
            xl.destroy(domid);
        } catch (LibxlException e) {
            throw new BackendException("cannot destroy '" + domain.def.name() + "': " + e.getMessage(), e);
        }
        // A guest's reboot may be making its domain again meanwhile (onDeath destroys that one once
        // made), which under load takes a while: the wait is for the VM's end, not that domain's.
        if (!awaitReported(domain, Duration.ofSeconds(30))
                && (domain.domid == domid || !awaitReported(domain, Duration.ofSeconds(60)))) {
            throw new BackendException("domain " + domain.domid + " of '" + domain.def.name() + "' did not die");
        }
    }

    private void destroyQuietly(int domid) {
        try {
            xl.destroy(domid);
        } catch (LibxlException e) {
            LOG.warning("cannot destroy domain " + domid + ": " + e.getMessage());
        }
    }

    @Override
    public void pause(UUID id) throws BackendException {
        setPaused(domain(id), true);
    }

    @Override
    public void unpause(UUID id) throws BackendException {
        setPaused(domain(id), false);
    }

    /**
     * Pauses or lets run the domain, under its lock (a reboot's remake waits, or is waited for). A
     * domain gone for its reboot cannot be asked: what was asked holds for the domain made for it.
     */
    private void setPaused(Domain domain, boolean paused) throws BackendException {
        synchronized (domain) {
            try {
                if (paused) {
                    xl.pause(domain.domid);
                } else {
                    xl.unpause(domain.domid);
                }
            } catch (LibxlException e) {
                String verb = paused ? "pause" : "unpause";
                if (!domain.rebooting) {
                    throw new BackendException("cannot " + verb + " '" + domain.def.name() + "': " + e.getMessage(), e);
                }
                LOG.info("cannot " + verb + " domain " + domain.domid + " ('" + domain.def.name() + "'), gone for its reboot ("
                        + e.getMessage() + "); the domain made for it " + (paused ? "stays paused" : "runs"));
            }
            domain.paused = paused;
        }
    }

    /** Lets a domain paused through {@link #pause} run: a paused guest cannot act on a request. */
    private void runIfPaused(Domain domain) throws LibxlException {
        synchronized (domain) {
            if (domain.paused) {
                xl.unpause(domain.domid);
                domain.paused = false;
            }
        }
    }

    /**
     * A PV-aware guest reboots itself (its domain shuts down with reason reboot and is created again,
     * under a new domid); one without PV drivers, or one that does not within {@code timeout}, is reset.
     */
    @Override
    public String reboot(UUID id, Duration timeout) throws BackendException {
        Domain domain = domain(id);
        int before = domain.domid;
        try {
            runIfPaused(domain);
            if (xl.reboot(before)) {
                if (madeAgainWithin(domain, before, timeout)) {
                    return "the guest restarted";
                }
                // A guest that shut down to reboot is being made again: a reset now would hit a
                // dying domain, so it gets time to come back instead.
                if (domain.rebooting) {
                    return awaitRemade(domain, before);
                }
            }
            try {
                xl.reset(domain.domid);
            } catch (LibxlException e) {
                // The guest shut down to reboot by itself meanwhile (a triple fault is one): the
                // domain is being made again, which is the reboot asked for. Its shutdown event
                // may come a moment after the failed reset.
                long grace = System.nanoTime() + 5_000_000_000L;
                while (!domain.rebooting && domain.domid == before && !domain.reported.isDone()
                        && System.nanoTime() < grace) {
                    Thread.sleep(100);
                }
                if (domain.rebooting || domain.domid != before) {
                    return awaitRemade(domain, before);
                }
                throw e;
            }
            return "reset after the guest did not restart within " + timeout.toSeconds() + " s";
        } catch (LibxlException e) {
            throw new BackendException("cannot reboot '" + domain.def.name() + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while rebooting '" + domain.def.name() + "'");
        }
    }

    /** Whether the domain is made again under a new domid within {@code timeout}; one that ended instead throws. */
    private static boolean madeAgainWithin(Domain domain, int before, Duration timeout)
            throws BackendException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (domain.domid != before) {
                return true;
            }
            if (domain.reported.isDone()) {
                throw new BackendException("'" + domain.def.name() + "' ended instead of restarting: " + domain.detail);
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Waits for the domain that shut down to reboot to be made again under a new domid. */
    private static String awaitRemade(Domain domain, int before) throws BackendException, InterruptedException {
        if (madeAgainWithin(domain, before, REMAKE_TIMEOUT)) {
            return "the guest restarted";
        }
        throw notMadeAgain(domain);
    }

    /** What both waits for a remake say when it took longer than its bound. */
    private static BackendException notMadeAgain(Domain domain) {
        return new BackendException("'" + domain.def.name() + "' shut down to reboot but was not made again within "
                + REMAKE_TIMEOUT.toSeconds() + " s");
    }

    /**
     * libxl_domain_suspend into {@code image}, opened as xl save opens its file (but 0600), then
     * synced. A guest with PV drivers suspends itself when asked, so a paused domain is let run for
     * it; its saved state resumes running. The domain is left suspended (nothing of it runs) until
     * {@link #endSaved}. On failure it is resumed as xl does it (the guest sees its suspend cancelled)
     * and left paused, as the contract wants: {@link #unpause} lets it run on.
     */
    @Override
    public void saveState(UUID id, Path image) throws BackendException {
        Domain domain = domain(id);
        String name = domain.def.name();
        boolean suspending = false;
        try (SavedStateFile file = SavedStateFile.create(image)) {
            runIfPaused(domain);
            suspending = true;
            xl.suspend(domain.domid, file.fd());
            file.sync();
            LOG.info("saved the state of domain " + domain.domid + " ('" + name + "') to " + image);
        } catch (LibxlException e) {
            String why = "cannot save the state of '" + name + "': " + e.getMessage();
            try {
                leavePaused(domain, suspending);
            } catch (LibxlException resumeFailed) {
                why += "; and it could not be left paused: " + resumeFailed.getMessage();
            }
            throw new BackendException(why, e);
        }
    }

    /**
     * After a failed save: pause the domain, and where libxl may have suspended it, resume it (xl save's
     * way) and watch it again, libxl having reported its shutdown for the suspend already.
     */
    private void leavePaused(Domain domain, boolean suspending) throws LibxlException {
        synchronized (domain) {
            if (!domain.paused) {
                xl.pause(domain.domid);
                domain.paused = true;
            }
        }
        if (suspending) {
            try {
                xl.resumeSuspended(domain.domid);
            } catch (LibxlException e) {
                // Not suspended after all (libxl failed before the guest did): nothing to resume.
                LOG.info("domain " + domain.domid + " after a failed save: " + e.getMessage());
            }
            xl.watchDeath(domain.domid);
        }
    }

    /** Destroys the domain whose state {@link #saveState} saved; its end is reported as suspended. */
    @Override
    public void endSaved(UUID id) throws BackendException {
        Domain domain = domain(id);
        domain.saved = true;
        try {
            destroyNow(domain);
        } catch (BackendException e) {
            // The saved state is set aside; whenever this domain ends, it did not end suspended.
            domain.saved = false;
            throw e;
        }
    }

    /**
     * Rebuilds the domain's configuration from {@code def} (libxl's stream has none; polydeskd kept the
     * definition it ran as), as a start does, and restores it from {@code image}, which is only read.
     */
    @Override
    public RunningVm restore(VmDefinition def, List<String> gpuFunctions, Path image) throws BackendException {
        checkSavedState(def, image);
        return launch(def, gpuFunctions, image);
    }

    /** Refuses, before anything is made, a saved state that is not a file. */
    static void checkSavedState(VmDefinition def, Path image) throws BackendException {
        if (!Files.isRegularFile(image)) {
            throw new BackendException("cannot resume '" + def.name() + "': its saved state " + image
                    + (Files.exists(image) ? " is not a file" : " is not there"));
        }
    }

    @Override
    public void insertCd(UUID id, int disk, Path medium) throws BackendException {
        changeCd(id, disk, medium);
    }

    @Override
    public void ejectCd(UUID id, int disk) throws BackendException {
        changeCd(id, disk, null);
    }

    /**
     * libxl's usbdev on the device model's xHCI controller, which every HVM domain is made with: QEMU
     * opens the host's device, as on the QEMU backend. PV and PVH domains have no device model.
     */
    @Override
    public void usbAttach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        Domain domain = domain(id);
        if (domain.def.type() != GuestType.HVM) {
            throw new BackendException("'" + domain.def.name() + "' is " + domain.def.type().name() + ": on Xen, USB devices"
                    + " reach HVM guests (through their device model) only");
        }
        UsbAddress address = new UsbAddress(device.bus(), device.address());
        try {
            onDomain(domain, domid -> {
                xl.usbdevAdd(domid, address.bus(), address.address());
                return domain.usb.add(address);
            });
        } catch (LibxlException e) {
            throw new BackendException(e.getMessage(), e);
        }
    }

    @Override
    public void usbDetach(UUID id, org.polydesk.protocol.usb.UsbDevice device) throws BackendException {
        Domain domain = domain(id);
        UsbAddress address = new UsbAddress(device.bus(), device.address());
        try {
            boolean had = onDomain(domain, domid -> {
                boolean removed = xl.usbdevRemove(domid, address.bus(), address.address());
                domain.usb.remove(address);
                return removed;
            });
            if (!had) {
                throw new BackendException("'" + domain.def.name() + "' has no USB device " + device.port());
            }
        } catch (LibxlException e) {
            throw new BackendException(e.getMessage(), e);
        }
    }

    @Override
    public List<UsbAddress> usbHeld(UUID id) throws BackendException {
        Domain domain = domain(id);
        try {
            return onDomain(domain, xl::usbdevList).stream().map(a -> new UsbAddress(a[0], a[1])).toList();
        } catch (LibxlException e) {
            throw new BackendException(e.getMessage(), e);
        }
    }

    /**
     * libxl_cdrom_insert with the drive's vdev and the new medium, or none (xl cd-eject); the domain
     * made for a reboot gets the drive as it is now.
     */
    private void changeCd(UUID id, int disk, Path medium) throws BackendException {
        Domain domain = domain(id);
        String verb = medium == null ? "eject the CD of" : "insert " + medium + " into";
        try {
            String vdev = LibxlDomainConfig.cdromVdev(domain.def, disk);
            onDomain(domain, domid -> {
                xl.cdromInsert(domid, LibxlDomainConfig.cdrom(vdev, medium).toString());
                domain.def = domain.def.withCdMedium(disk, medium == null ? null : medium.toString());
                return null;
            });
        } catch (IllegalArgumentException | LibxlException e) {
            throw new BackendException("cannot " + verb + " '" + domain.def.name() + "': " + e.getMessage(), e);
        }
    }

    /** A call that reaches a domain by its domid. */
    @FunctionalInterface
    private interface DomainCall<T> {
        T on(int domid) throws LibxlException;
    }

    /**
     * Runs {@code call} under the domain's lock on the domain that runs the VM: while a guest's
     * reboot has its domain made again, the call waits for the new one; one that failed because
     * the guest went for its reboot meanwhile is made again on the new one.
     */
    private static <T> T onDomain(Domain domain, DomainCall<T> call) throws LibxlException, BackendException {
        synchronized (domain) {
            waitOutRemake(domain);
            try {
                return call.on(domain.domid);
            } catch (LibxlException e) {
                if (!domain.rebooting) {
                    throw e;
                }
                LOG.info("domain " + domain.domid + " ('" + domain.def.name() + "') went for its reboot during a call ("
                        + e.getMessage() + "); made again on the domain made for it");
                waitOutRemake(domain);
                return call.on(domain.domid);
            }
        }
    }

    /** Under the domain's lock, which it lets go meanwhile: waits while the domain is made again for a reboot. */
    private static void waitOutRemake(Domain domain) throws BackendException {
        long deadline = System.nanoTime() + REMAKE_TIMEOUT.toNanos();
        while (domain.rebooting) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw notMadeAgain(domain);
            }
            try {
                domain.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while '" + domain.def.name() + "' was made again for its reboot");
            }
        }
    }

    /**
     * Gives the domain made for a reboot the host's USB devices its predecessor had, as a PC keeps
     * what is plugged into it; one that cannot be given (unplugged meanwhile) is left out, and the
     * USB manager's next look at the bus says where it is.
     */
    private void giveUsbAgain(Domain domain) {
        for (Iterator<UsbAddress> it = domain.usb.iterator(); it.hasNext(); ) {
            UsbAddress a = it.next();
            try {
                xl.usbdevAdd(domain.domid, a.bus(), a.address());
            } catch (LibxlException e) {
                LOG.warning("cannot give USB device " + a.bus() + ":" + a.address() + " again to domain " + domain.domid
                        + " ('" + domain.def.name() + "'), made for its reboot: " + e.getMessage());
                it.remove();
            }
        }
    }

    /**
     * Ejects the placeholder from each CD drive that is empty in the definition, while the new domain
     * is still paused: the guest never sees it, and the drive, made with a medium, takes later changes.
     */
    private void ejectPlaceholders(VmDefinition def, int domid) throws LibxlException {
        List<String> vdevs = LibxlDomainConfig.vdevs(def);
        for (int i = 0; i < def.disks().size(); i++) {
            if (LibxlDomainConfig.startsWithPlaceholder(def, def.disks().get(i))) {
                xl.cdromInsert(domid, LibxlDomainConfig.cdrom(vdevs.get(i), null).toString());
            }
        }
    }

    /**
     * The placeholder medium of empty CD drives ({@link LibxlDomainConfig#startsWithPlaceholder}): 64 KiB
     * of zeros in the run directory, made once, atomically, and only ever opened read-only.
     */
    private Path emptyCd() throws BackendException {
        Path file = runDir.resolve(EMPTY_CD);
        try {
            if (Files.isRegularFile(file) && Files.size(file) == EMPTY_CD_BYTES) {
                return file;
            }
            Path tmp = Files.createTempFile(runDir, EMPTY_CD, ".tmp");
            try {
                Files.write(tmp, new byte[EMPTY_CD_BYTES]);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new BackendException("cannot make the empty CD drives' placeholder " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean awaitReported(Domain domain, Duration timeout) {
        try {
            domain.reported.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Domain domain(UUID id) throws BackendException {
        Domain domain = byId.get(id);
        if (domain == null) {
            throw new BackendException("VM " + id + " is not running");
        }
        return domain;
    }

    @Override
    public List<RunningVm> recover(Collection<VmDefinition> defs, Map<UUID, List<String>> gpuFunctions) {
        List<RunningVm> found = new ArrayList<>();
        List<JsonNode> domains;
        try {
            domains = xl.listDomains();
        } catch (LibxlException e) {
            LOG.warning("cannot list the running domains: " + e.getMessage());
            return found;
        }
        for (VmDefinition def : defs) {
            for (JsonNode info : domains) {
                if (def.id().toString().equalsIgnoreCase(info.path("uuid").asText()) && !info.path("dying").asBoolean()) {
                    Domain domain = new Domain(def, VmRuntimeDir.of(runDir, def.id()),
                            gpuFunctions.getOrDefault(def.id(), List.of()), info.path("domid").asInt());
                    try {
                        xl.watchDeath(domain.domid);
                    } catch (LibxlException e) {
                        LOG.warning("cannot watch domain " + domain.domid + ": " + e.getMessage());
                        continue;
                    }
                    if (def.type() == GuestType.HVM) {
                        try {
                            // What it holds is given again to the domain made for its next reboot.
                            xl.usbdevList(domain.domid).forEach(a -> domain.usb.add(new UsbAddress(a[0], a[1])));
                        } catch (LibxlException e) {
                            LOG.warning("cannot list the USB devices of domain " + domain.domid + ": " + e.getMessage());
                        }
                    }
                    byId.put(def.id(), domain);
                    byDomid.put(domain.domid, domain);
                    found.add(running(domain));
                    ensureEventThread();
                }
            }
        }
        return found;
    }

    /**
     * Xen 4.17 has no TPM 2.0 for HVM guests: its vTPM is a TPM 1.2 stub domain, and neither
     * hvmloader nor libxl describe an emulated TPM (qemu-xen's tpm-crb) to the guest. Nor has it
     * Secure Boot: libxl's bios = "ovmf" loads one firmware image with no enrolled keys and no SMM.
     */
    @Override
    public List<org.polydesk.protocol.rpc.Problem> unsupported(VmDefinition def) {
        return unsupportedOnXen(def);
    }

    static List<org.polydesk.protocol.rpc.Problem> unsupportedOnXen(VmDefinition def) {
        List<org.polydesk.protocol.rpc.Problem> problems = new ArrayList<>();
        if (def.tpm()) {
            problems.add(new org.polydesk.protocol.rpc.Problem(VmDefinition.TPM,
                    "a TPM 2.0 is not supported on Xen (this host's backend); turn tpm off"
                    + " (Windows 11 needs the QEMU backend, or its installer's TPM check bypassed)"));
        }
        if (def.secureBoot()) {
            problems.add(new org.polydesk.protocol.rpc.Problem(VmDefinition.SECURE_BOOT,
                    "Secure Boot is not supported on Xen (this host's backend): its OVMF has no Secure Boot keys;"
                    + " turn secureBoot off"));
        }
        return problems;
    }

    @Override
    public String passthroughDriver() {
        return "pciback";
    }

    /**
     * Xen quarantines a device a guest had (it belongs to dom_io until de-assigned), and dom0's
     * driver cannot use it before: libxl's assignable-remove ends the quarantine (and unbinds
     * pciback). Without an IOMMU, or when quarantine is off, there is none to end, and libxl says so.
     */
    @Override
    public void releasePci(String address) {
        try {
            xl.pciAssignableRemove(LibxlDomainConfig.pci(address).toString());
            LOG.info(address + ": libxl ended its quarantine");
        } catch (LibxlException e) {
            LOG.info(address + ": not in quarantine (" + e.getMessage() + ")");
        }
    }

    /**
     * Leaves the domains running. The context stays open: the event thread may be inside libxl,
     * and this is only called as the daemon ends.
     */
    @Override
    public void close() {
        byId.clear();
        byDomid.clear();
    }
}
