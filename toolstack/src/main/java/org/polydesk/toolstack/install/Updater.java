package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.polydesk.protocol.toolstack.HostSystem;

/**
 * Updates an installed Polydesk from a Polydesk ISO without touching the system that runs: the
 * ISO's system goes into the other slot's partition (a fresh file system, the image copied, this
 * system's settings and accounts carried over), and that slot becomes the next boot, once
 * ({@link BootSlots#tryNext}). It is kept only when that boot says it is healthy; otherwise the boot
 * after it is this system again. VM definitions, disks and settings are on the VM store, which
 * neither slot holds. Every check of the file comes before anything is written.
 */
public final class Updater {
    public static final int STEPS = 7;

    /**
     * {@code image}: the ISO (a file or block device); {@code root}: the running system, whose
     * settings are carried; {@code partitions}: where the slots' partitions are found by GPT name;
     * {@code work}: where the updater mounts; {@code xenCmdline}: Xen's command line of the new entries.
     */
    public record Options(Path image, Path root, Path partitions, Path work, String xenCmdline) {
        public static Options of(Path image) {
            return new Options(image, Path.of("/"), Path.of("/dev/disk/by-partlabel"), Path.of("/run/polydesk/update"),
                    BootConfig.DEFAULT_XEN_CMDLINE);
        }
    }

    /** What the checks found: the ISO's release goes into {@code slot} on {@code partition}. */
    public record Plan(String release, String slot, String partition) {
    }

    private final CommandRunner runner;
    private final BootSlots slots;
    private final Installer.Progress progress;
    private final Deque<Path> mounted = new ArrayDeque<>();

    public Updater(CommandRunner runner, BootSlots slots, Installer.Progress progress) {
        this.runner = runner;
        this.slots = slots;
        this.progress = progress;
    }

    /** Every check that needs no long read: the machine's slots, the file, the release it holds. */
    public Plan check(Options o) throws InstallException {
        HostSystem now;
        try {
            now = slots.status();
        } catch (IOException e) {
            throw new InstallException("cannot read the boot slots (" + slots.env() + "): " + e.getMessage(), e);
        }
        if (now.slot() == null) {
            throw new InstallException("this system cannot be updated: it is not an installed Polydesk with two"
                    + " system slots (a live system, or one installed before updates: install it again)");
        }
        if (!now.kept()) {
            throw new InstallException("this system (slot " + now.slot() + ", " + now.release() + ") is not the one"
                    + " kept (it runs on its try, or was picked in the boot menu); the other slot holds the system the"
                    + " machine falls back to, so it is not overwritten now");
        }
        String slot = now.otherSlot();
        Path partition = o.partitions().resolve(BootSlots.label(slot));
        if (!Files.exists(partition)) {
            throw new InstallException("no partition " + BootSlots.label(slot) + " (" + partition + ") for system "
                    + slot + "; this disk was installed without a second system slot: install it again");
        }
        UpdateImage.checkFile(o.image());
        String release;
        try {
            release = mountRelease(o);
        } finally {
            unmountAll(false);
        }
        if (release.equals(now.release())) {
            throw new InstallException(o.image() + " holds " + release + ", the release that runs now; nothing to update");
        }
        try {
            return new Plan(release, slot, partition.toRealPath().toString());
        } catch (IOException e) {
            throw new InstallException("cannot resolve " + partition + ": " + e.getMessage(), e);
        }
    }

    public void update(Options o, Plan plan) throws InstallException {
        int step = 0;
        String what = "";
        boolean written = false;
        try {
            what = "checking " + o.image();
            progress.step(++step, STEPS, what);
            long volume = UpdateImage.checkFile(o.image());
            String release = mountRelease(o);
            Path iso = o.work().resolve("iso");
            Path system = o.work().resolve("system");
            if (!release.equals(plan.release())) {
                throw new InstallException(o.image() + " changed since it was checked (" + plan.release() + ", now "
                        + release + ")");
            }
            progress.detail(o.image() + ": Polydesk " + release + ", " + (volume >> 20) + " MiB");

            what = "verifying the new system's image (SHA-256)";
            progress.step(++step, STEPS, what);
            UpdateImage.verify(iso, o.image(), pct -> progress.detail(String.format("verifying: %3d%%", pct)));
            progress.detail("the image matches its sha256sum.txt");

            what = "making system " + plan.slot() + "'s file system on " + plan.partition();
            progress.step(++step, STEPS, what);
            written = true;
            slots.forget(plan.slot());
            exec("mkfs of system " + plan.slot(), List.of("mkfs.ext4", "-F", "-q", "-L", BootSlots.label(plan.slot()),
                    plan.partition()));
            String uuid = runner.check("reading the new file system's UUID",
                    List.of("blkid", "-s", "UUID", "-o", "value", plan.partition())).out().strip();
            if (uuid.isEmpty()) {
                throw new InstallException("blkid gives no UUID for " + plan.partition());
            }

            what = "copying Polydesk " + release + " into system " + plan.slot();
            progress.step(++step, STEPS, what);
            Path target = o.work().resolve("target");
            mount(List.of("mount", plan.partition(), target.toString()), target);
            Installer.copyTree(runner, progress, system, target, systemBytes(iso, system));

            what = "carrying this system's settings and accounts into system " + plan.slot();
            progress.step(++step, STEPS, what);
            for (String carried : SystemState.carry(o.root(), target, uuid)) {
                progress.detail("carried " + carried);
            }

            what = "making system " + plan.slot() + " the next boot, once";
            progress.step(++step, STEPS, what);
            BootConfig.BootFiles boot = Installer.bootFiles(target, iso, progress);
            slots.tryNext(plan.slot(), release,
                    BootConfig.slotCfg(plan.slot(), release, uuid, boot, o.xenCmdline()));
            progress.detail("GRUB boots system " + plan.slot() + " (" + release + ") at the next start, once: it is kept"
                    + " when polydeskd answers there (polydesk-boot-ok), else the start after it is this system again");

            what = "unmounting";
            progress.step(++step, STEPS, what);
            runner.check("sync", List.of("sync"));
            unmountAll(true);
        } catch (InstallException | IOException e) {
            unmountAll(false);
            throw new InstallException("update failed at step " + step + "/" + STEPS + " (" + what + "): "
                    + e.getMessage() + (written ? "\nSystem " + plan.slot() + " was partly written and does not boot;"
                    + " the running system is untouched." : "\nNothing was written."), e);
        }
    }

    /** live-build writes the system's size next to its image; otherwise du says it. */
    private long systemBytes(Path iso, Path system) throws InstallException {
        try {
            return Long.parseLong(Files.readString(iso.resolve("live/filesystem.size")).strip());
        } catch (IOException | NumberFormatException e) {
            CommandRunner.Result r = runner.check("measuring the new system", List.of("du", "-sxb", system.toString()));
            try {
                return Long.parseLong(r.out().strip().split("\\s+")[0]);
            } catch (NumberFormatException n) {
                throw new InstallException("cannot measure " + system + ": du printed '" + r.out().strip() + "'");
            }
        }
    }

    /**
     * The ISO mounted read-only on work/iso (a file through a loop device, a block device as it is)
     * and its system's squashfs on work/system; returns the release that system names.
     */
    private String mountRelease(Options o) throws InstallException {
        Path iso = o.work().resolve("iso");
        boolean file = Files.isRegularFile(o.image());
        mount(List.of("mount", "-o", file ? "loop,ro" : "ro", o.image().toString(), iso.toString()), iso);
        UpdateImage.checkMedium(iso, o.image());
        Path system = o.work().resolve("system");
        mount(List.of("mount", "-o", "loop,ro", iso.resolve(UpdateImage.SQUASHFS).toString(), system.toString()), system);
        return UpdateImage.release(iso, system, o.image());
    }

    private void mount(List<String> command, Path where) throws InstallException {
        try {
            Files.createDirectories(where);
        } catch (IOException e) {
            throw new InstallException("cannot create " + where + ": " + e.getMessage(), e);
        }
        exec("mounting " + command.get(command.size() - 2), command);
        mounted.push(where);
    }

    private void unmountAll(boolean strict) throws InstallException {
        while (!mounted.isEmpty()) {
            Path where = mounted.pop();
            CommandRunner.Result r = runner.run(List.of("umount", where.toString()));
            if (r.exit() != 0) {
                r = runner.run(List.of("umount", "--lazy", where.toString()));
                if (r.exit() != 0 && strict) {
                    throw new InstallException("cannot unmount " + where + ": " + r.err().strip());
                }
            }
        }
    }

    private void exec(String what, List<String> command) throws InstallException {
        progress.detail("$ " + String.join(" ", command));
        runner.check(what, command);
    }
}
