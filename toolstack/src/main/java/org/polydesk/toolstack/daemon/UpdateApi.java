package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.toolstack.HostSystem;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.toolstack.install.BootSlots;
import org.polydesk.toolstack.install.CommandRunner;
import org.polydesk.toolstack.install.InstallException;
import org.polydesk.toolstack.install.Installer;
import org.polydesk.toolstack.install.Updater;

/**
 * host.system, host.update and host.boot.ok: the installed system's two slots, an update written
 * into the one that does not run (on its own thread, its progress to the connection that started
 * it and to polydeskd's log; one at a time), and the healthy boot that keeps an update.
 */
final class UpdateApi {
    private static final Logger LOG = Logger.getLogger(UpdateApi.class.getName());

    private final BootSlots slots;
    private final CommandRunner runner;
    /** The updater's options for an image path: the real root and partitions, or a test's. */
    private final Function<Path, Updater.Options> options;
    /** The image being written, or null. */
    private final AtomicReference<Path> running = new AtomicReference<>();

    UpdateApi(BootSlots slots, CommandRunner runner, Function<Path, Updater.Options> options) {
        this.slots = slots;
        this.runner = runner;
        this.options = options;
    }

    static UpdateApi system() {
        return new UpdateApi(BootSlots.system(), CommandRunner.system(), Updater.Options::of);
    }

    HostSystem status() throws RpcException {
        try {
            return slots.status();
        } catch (IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot read the boot slots: " + e.getMessage());
        }
    }

    HostSystem bootOk() throws RpcException {
        try {
            HostSystem s = slots.confirm();
            if (s.slot() != null) {
                LOG.info("this boot is healthy: system " + s.slot() + " (" + s.release() + ")"
                        + (s.lastUpdate() == null ? "" : "; " + s.lastUpdate()));
            }
            return s;
        } catch (IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot record this healthy boot: " + e.getMessage());
        }
    }

    ToolstackApi.HostUpdateStarted start(ToolstackApi.HostUpdate params, RpcServer.Connection caller) throws RpcException {
        if (params == null || params.path() == null || !params.path().startsWith("/")) {
            throw RpcException.invalidParam(ToolstackApi.HostUpdate.PATH,
                    "path must be the absolute path of a Polydesk ISO (or of a block device that holds one)");
        }
        Updater.Options o = options.apply(Path.of(params.path()));
        if (!running.compareAndSet(null, o.image())) {
            throw new RpcException(ErrorCode.WRONG_STATE, "an update from " + running.get() + " is already running;"
                    + " one update at a time");
        }
        Updater.Plan plan;
        try {
            plan = new Updater(runner, slots, Installer.Progress.NONE).check(o);
        } catch (InstallException | RuntimeException e) {
            running.set(null);
            throw new RpcException(ErrorCode.UPDATE_REFUSED, e.getMessage());
        }
        Thread t = new Thread(() -> run(o, plan, caller), "update");
        t.setDaemon(true);
        t.start();
        return new ToolstackApi.HostUpdateStarted(plan.release(), plan.slot(), Updater.STEPS);
    }

    private void run(Updater.Options o, Updater.Plan plan, RpcServer.Connection caller) {
        ProgressToCaller progress = new ProgressToCaller(caller, ToolstackApi.HOST_UPDATE_PROGRESS, LOG,
                "update from " + o.image(), Updater.STEPS);
        String failure = null;
        try {
            new Updater(runner, slots, progress).update(o, plan);
            LOG.info("update to " + plan.release() + " written into system " + plan.slot());
        } catch (InstallException | RuntimeException e) {
            LOG.warning("update from " + o.image() + " failed: " + e.getMessage());
            failure = String.valueOf(e.getMessage());
        } finally {
            running.set(null);
        }
        if (failure == null) {
            progress.done("Polydesk " + plan.release() + " is in system " + plan.slot() + ". Restart to start it:"
                    + " it is kept when it comes up healthy, else the next restart returns to this system.");
        } else {
            progress.failed(failure);
        }
    }
}
