package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.rpc.RpcServer;
import org.polydesk.protocol.toolstack.ToolstackApi;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.polydesk.protocol.install.InstallDisk;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.toolstack.host.HardwareCheck;
import org.polydesk.toolstack.install.BlockDevices;
import org.polydesk.toolstack.install.CommandRunner;
import org.polydesk.toolstack.install.DiskChecks;
import org.polydesk.toolstack.install.InstallException;
import org.polydesk.toolstack.install.Installer;
import org.polydesk.toolstack.install.Keyboard;

/**
 * install.disks and install.start: the installer of {@code polyctl install}, run by polydeskd
 * (root) for the control UI, which runs unprivileged. The install runs on its own thread; its
 * progress goes to the connection that started it and to polydeskd's log. One at a time.
 */
final class InstallApi {
    private static final Logger LOG = Logger.getLogger(InstallApi.class.getName());

    /** Where the disks are seen: the real /sys, /dev and mounts, or a test's made-up ones. */
    interface Devices {
        BlockDevices read() throws IOException;
    }

    private final Devices devices;
    private final CommandRunner runner;
    private final Installer.Options defaults;
    private final Installer.MachineCheck machine;
    /** The zone files and XKB rules a time zone and a keyboard layout are checked against: the copied system's. */
    private final Path zoneinfo;
    private final Path keyboardRules;
    /** The disk being installed to, or null. */
    private final AtomicReference<String> running = new AtomicReference<>();

    InstallApi(Devices devices, CommandRunner runner, Installer.Options defaults, Installer.MachineCheck machine,
               Path zoneinfo, Path keyboardRules) {
        this.devices = devices;
        this.runner = runner;
        this.defaults = defaults;
        this.machine = machine;
        this.zoneinfo = zoneinfo;
        this.keyboardRules = keyboardRules;
    }

    /** The live system's installer: the real disks, commands and live root. */
    static InstallApi system() {
        return new InstallApi(BlockDevices::system, CommandRunner.system(), Installer.Options.of(""),
                () -> HardwareCheck.system().check(), Installer.TimeZone.ZONEINFO, Keyboard.RULES);
    }

    List<InstallDisk> disks() throws RpcException {
        List<Installer.Candidate> found;
        try {
            found = installer(Installer.Progress.NONE).survey();
        } catch (InstallException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
        return found.stream().map(c -> new InstallDisk(c.disk().path(), c.disk().model(),
                c.disk().sizeBytes(), c.disk().partitions(),
                c.problems().stream().filter(p -> !p.erases()).map(DiskChecks.Problem::message).toList(),
                c.problems().stream().filter(DiskChecks.Problem::erases).map(DiskChecks.Problem::message).toList()))
                .toList();
    }

    ToolstackApi.InstallStarted start(ToolstackApi.InstallStart params, RpcServer.Connection caller) throws RpcException {
        Installer.Options o = options(params);
        if (!running.compareAndSet(null, o.disk())) {
            throw new RpcException(ErrorCode.WRONG_STATE, "an install to " + running.get() + " is already running;"
                    + " one install at a time");
        }
        try {
            installer(Installer.Progress.NONE).plan(o);
        } catch (InstallException e) {
            running.set(null);
            throw new RpcException(ErrorCode.INSTALL_REFUSED, e.getMessage()
                    .replace("add --force to erase it", "erase it only if you mean to (force)"));
        }
        Thread t = new Thread(() -> run(o, caller), "install");
        t.setDaemon(true);
        t.start();
        return new ToolstackApi.InstallStarted(o.disk(), Installer.STEPS);
    }

    private void run(Installer.Options o, RpcServer.Connection caller) {
        ProgressToCaller progress = new ProgressToCaller(caller, ToolstackApi.INSTALL_PROGRESS, LOG,
                "install to " + o.disk(), Installer.STEPS);
        String failure = null;
        try {
            installer(progress).install(o);
            LOG.info("install to " + o.disk() + ": done");
        } catch (InstallException | RpcException | RuntimeException e) {
            LOG.warning("install to " + o.disk() + " failed: " + e.getMessage());
            failure = String.valueOf(e.getMessage()).replace("(with --force)", "(erasing the disk)");
        } finally {
            running.set(null);
        }
        // Only now: whoever hears the end may start the next install at once.
        if (failure == null) {
            progress.done("Polydesk is installed on " + o.disk() + ". Remove the installation medium and restart;"
                    + " log in as " + o.admin().name() + ".");
        } else {
            progress.failed(failure);
        }
    }

    private Installer installer(Installer.Progress progress) throws RpcException {
        try {
            return new Installer(runner, devices.read(), progress, machine);
        } catch (IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot read the disks and mounts: " + e.getMessage());
        }
    }

    private Installer.Options options(ToolstackApi.InstallStart params) throws RpcException {
        if (params.disk() == null || params.disk().isBlank()) {
            throw RpcException.invalidParam(ToolstackApi.InstallStart.DISK, "disk must be the whole disk to install to, like /dev/sda");
        }
        ToolstackApi.InstallAdmin admin = params.admin();
        Installer.Admin a;
        try {
            a = Installer.Admin.of(admin == null ? null : admin.name(), admin == null ? null : admin.password());
        } catch (InstallException e) {
            throw RpcException.invalidParam(ToolstackApi.InstallStart.ADMIN, e.getMessage());
        }
        Installer.Encryption encryption = null;
        if (params.encryptionPassphrase() != null) {
            try {
                // The caller asked twice (the UI's two fields); what reaches polydeskd is one passphrase.
                encryption = Installer.Encryption.of(params.encryptionPassphrase(), params.encryptionPassphrase());
            } catch (InstallException e) {
                throw RpcException.invalidParam(ToolstackApi.InstallStart.ENCRYPTION_PASSPHRASE, e.getMessage());
            }
        }
        Installer.TimeZone zone = null;
        if (params.timeZone() != null) {
            try {
                zone = Installer.TimeZone.of(params.timeZone(), zoneinfo);
            } catch (InstallException e) {
                throw RpcException.invalidParam(ToolstackApi.InstallStart.TIME_ZONE, e.getMessage());
            }
        }
        Keyboard keyboard = null;
        if (params.keyboardLayout() != null || params.keyboardVariant() != null) {
            try {
                keyboard = Keyboard.of(params.keyboardLayout(), params.keyboardVariant(), keyboardRules);
            } catch (Keyboard.BadVariant e) {
                throw RpcException.invalidParam(ToolstackApi.InstallStart.KEYBOARD_VARIANT, e.getMessage());
            } catch (InstallException e) {
                throw RpcException.invalidParam(ToolstackApi.InstallStart.KEYBOARD_LAYOUT, e.getMessage());
            }
        }
        return defaults.withDisk(params.disk()).withForce(Boolean.TRUE.equals(params.force())).withAdmin(a)
                .withEncryption(encryption).withTimeZone(zone).withKeyboard(keyboard);
    }
}
