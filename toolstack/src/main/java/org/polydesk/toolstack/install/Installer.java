package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.polydesk.protocol.toolstack.HostCheck;

/**
 * Installs the running Polydesk live system to a disk: GPT (BIOS boot, ESP, root, VM
 * storage), file systems, a copy of the live root, fstab, GRUB for BIOS and UEFI with Xen
 * as the default entry. Every step is announced through {@link Progress}; a failure
 * unmounts what the installer mounted and says which step failed and why.
 */
public final class Installer {
    /** Where live-boot mounts the read-only live root (the squashfs), the system that is copied. */
    public static final Path LIVE_ROOT = Path.of("/run/live/rootfs/filesystem.squashfs");
    /** Where live-boot mounts the boot medium (the ISO or USB stick). */
    public static final Path LIVE_MEDIUM = Path.of("/run/live/medium");
    public static final int STEPS = 8;
    /** The VM store's LUKS mapping while the installer writes it; the installed system opens it as polydesk-vms. */
    static final String INSTALL_MAPPING = "polydesk-install-vms";

    /**
     * What to install where; {@code admin} is the installed system's login (null only in a dry run);
     * {@code encryption} puts the VM store on LUKS2 (null: not encrypted); {@code timeZone} and
     * {@code keyboard} null keep the copied system's (UTC, us).
     */
    public record Options(String disk, boolean force, Path source, Path medium, String xenCmdline, Path target,
                          boolean dryRun, Admin admin, Encryption encryption, TimeZone timeZone,
                          Keyboard keyboard) {
        public static Options of(String disk) {
            return new Options(disk, false, LIVE_ROOT, LIVE_MEDIUM, BootConfig.DEFAULT_XEN_CMDLINE,
                    Path.of("/run/polydesk/install-target"), false, null, null, null, null);
        }

        public Options withEncryption(Encryption e) {
            return new Options(disk, force, source, medium, xenCmdline, target, dryRun, admin, e, timeZone, keyboard);
        }

        public Options withForce(boolean f) {
            return new Options(disk, f, source, medium, xenCmdline, target, dryRun, admin, encryption, timeZone, keyboard);
        }

        public Options withSource(Path s) {
            return new Options(disk, force, s, medium, xenCmdline, target, dryRun, admin, encryption, timeZone, keyboard);
        }

        public Options withMedium(Path m) {
            return new Options(disk, force, source, m, xenCmdline, target, dryRun, admin, encryption, timeZone, keyboard);
        }

        public Options withTarget(Path t) {
            return new Options(disk, force, source, medium, xenCmdline, t, dryRun, admin, encryption, timeZone, keyboard);
        }

        public Options withDryRun(boolean d) {
            return new Options(disk, force, source, medium, xenCmdline, target, d, admin, encryption, timeZone, keyboard);
        }

        public Options withXenCmdline(String x) {
            return new Options(disk, force, source, medium, x, target, dryRun, admin, encryption, timeZone, keyboard);
        }

        public Options withAdmin(Admin a) {
            return new Options(disk, force, source, medium, xenCmdline, target, dryRun, a, encryption, timeZone, keyboard);
        }

        public Options withDisk(String d) {
            return new Options(d, force, source, medium, xenCmdline, target, dryRun, admin, encryption, timeZone, keyboard);
        }

        public Options withTimeZone(TimeZone z) {
            return new Options(disk, force, source, medium, xenCmdline, target, dryRun, admin, encryption, z, keyboard);
        }

        public Options withKeyboard(Keyboard k) {
            return new Options(disk, force, source, medium, xenCmdline, target, dryRun, admin, encryption, timeZone, k);
        }
    }

    /**
     * The installed system's administrator: a user in the groups polydesk (manages VMs) and sudo.
     * The live system's user exists only in the live system, and root has no password.
     */
    public record Admin(String name, String password) {
        /** Checks the name (a Debian user name) and the password. */
        public static Admin of(String name, String password) throws InstallException {
            if (name == null || !name.matches("[a-z][a-z0-9_-]{0,31}")) {
                throw new InstallException("the administrator's user name must be 1 to 32 lower-case letters, digits,"
                        + " '-' or '_', starting with a letter (like 'admin'), not '" + name + "'");
            }
            if (password == null || password.isEmpty()) {
                throw new InstallException("the administrator needs a password");
            }
            if (password.length() > 256 || password.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new InstallException("the administrator's password must be at most 256 characters, without"
                        + " line breaks or control characters");
            }
            return new Admin(name, password);
        }

        @Override
        public String toString() {
            return "Admin[" + name + "]";
        }
    }

    /**
     * The passphrase that unlocks the VM store at each boot. Typed twice, it must be the same twice;
     * 8 to 512 characters without line breaks or control characters (the boot prompt takes one line).
     */
    public record Encryption(String passphrase) {
        public static final int MIN_LENGTH = 8, MAX_LENGTH = 512;

        public static Encryption of(String passphrase, String again) throws InstallException {
            if (passphrase == null || passphrase.isEmpty()) {
                throw new InstallException("encryption needs a passphrase");
            }
            if (!passphrase.equals(again)) {
                throw new InstallException("the two passphrases differ; nothing was written");
            }
            if (passphrase.length() < MIN_LENGTH || passphrase.length() > MAX_LENGTH) {
                throw new InstallException("the passphrase must be " + MIN_LENGTH + " to " + MAX_LENGTH
                        + " characters long, not " + passphrase.length());
            }
            if (passphrase.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new InstallException("the passphrase must not hold line breaks or control characters");
            }
            return new Encryption(passphrase);
        }

        @Override
        public String toString() {
            return "Encryption[LUKS2]";
        }
    }

    /**
     * The installed system's time zone, a tz database name like Europe/Berlin; checked against the
     * zone files of the system that is copied (the live system's /usr/share/zoneinfo).
     */
    public record TimeZone(String name) {
        public static final Path ZONEINFO = Path.of("/usr/share/zoneinfo");
        private static final java.util.regex.Pattern NAME =
                java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}");

        public static TimeZone of(String name, Path zoneinfo) throws InstallException {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new InstallException("a time zone is a name like Europe/Berlin, America/New_York or UTC, not '"
                        + name + "'");
            }
            Path file = zoneinfo.resolve(name);
            // posix/ and right/ are alternative trees of the same zones, not zones.
            if (!Files.isRegularFile(file) || name.startsWith("posix/") || name.startsWith("right/")) {
                throw new InstallException("unknown time zone '" + name + "' (the names are those under " + zoneinfo
                        + ", like Europe/Berlin)");
            }
            return new TimeZone(name);
        }
    }

    /** A disk as the installer sees it, with every reason it would not write there. */
    public record Candidate(BlockDevices.Disk disk, List<DiskChecks.Problem> problems) {
    }

    /** What the installer tells of the machine before it writes anything: the host check. */
    public interface MachineCheck {
        HostCheck check() throws IOException;
    }

    /** Where the installer reports what it does. */
    public interface Progress {
        /** Step {@code n} of {@code total} begins. */
        void step(int n, int total, String what);

        /** A detail inside the current step (a command, a percentage). */
        void detail(String text);

        /** For a survey or a check, which tell nobody. */
        Progress NONE = new Progress() {
            @Override
            public void step(int n, int total, String what) {
            }

            @Override
            public void detail(String text) {
            }
        };
    }

    private final CommandRunner runner;
    private final BlockDevices devices;
    private final Progress progress;
    private final MachineCheck machine;
    private final Deque<Path> mounted = new ArrayDeque<>();
    private boolean mappingOpen;
    private final List<List<String>> dryRunCommands = new ArrayList<>();

    public Installer(CommandRunner runner, BlockDevices devices, Progress progress, MachineCheck machine) {
        this.runner = runner;
        this.devices = devices;
        this.progress = progress;
        this.machine = machine;
    }

    /** The commands a dry run would have run, in order. */
    public List<List<String>> dryRunCommands() {
        return List.copyOf(dryRunCommands);
    }

    /** Checks the disk and returns the plan, without writing anything. */
    public PartitionPlan plan(Options o) throws InstallException {
        BlockDevices.Disk disk = devices.disk(o.disk());
        List<String> signatures = signatures(disk.path());
        return DiskChecks.check(disk, devices.bootDisks(), devices.disksInUse(), signatures, o.force());
    }

    /** Every whole disk (not loop or RAM disks) with the reasons the installer would refuse it or erase it. */
    public List<Candidate> survey() throws InstallException {
        Set<String> boot = devices.bootDisks();
        var inUse = devices.disksInUse();
        List<Candidate> out = new ArrayList<>();
        for (BlockDevices.Disk d : devices.disks()) {
            List<String> signatures;
            try {
                signatures = signatures(d.path());
            } catch (InstallException e) {
                signatures = List.of("unreadable: " + e.getMessage());
            }
            out.add(new Candidate(d, DiskChecks.problems(d, boot, inUse, signatures)));
        }
        return out;
    }

    /** What wipefs finds on the whole disk: partition tables, file systems. */
    List<String> signatures(String disk) throws InstallException {
        CommandRunner.Result r = runner.run(List.of("wipefs", "--noheadings", "--output", "TYPE", disk));
        if (r.exit() != 0) {
            throw new InstallException("cannot read " + disk + " (wipefs exited " + r.exit() + "): " + r.err().strip());
        }
        return r.out().lines().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    public void install(Options o) throws InstallException {
        int step = 0;
        String what = "";
        try {
            what = "checking this machine and " + o.disk();
            progress.step(++step, STEPS, what);
            describeMachine();
            PartitionPlan plan = plan(o);
            for (String line : plan.describe().strip().lines().toList()) {
                progress.detail(line);
            }
            if (o.admin() == null && !o.dryRun()) {
                throw new InstallException("no administrator given: the installed system needs a user to log in as"
                        + " (polyctl install --admin NAME --password-file FILE)");
            }
            long sourceBytes = checkSource(o, plan);

            what = "partitioning " + plan.disk();
            progress.step(++step, STEPS, what);
            if (o.force()) {
                exec("erasing old signatures", List.of("wipefs", "--all", "--force", plan.disk()), o);
            }
            exec("clearing the partition table", List.of("sgdisk", "--zap-all", plan.disk()), o);
            exec("writing the partition table", plan.sgdiskCommand(), o);
            rereadPartitions(plan, o);
            waitForPartitions(plan, o);

            what = o.encryption() == null ? "making file systems" : "making file systems (the VM store on LUKS2)";
            progress.step(++step, STEPS, what);
            exec("mkfs of the ESP", List.of("mkfs.vfat", "-F", "32", "-n", PartitionPlan.ESP_LABEL, plan.device(2)), o);
            exec("mkfs of the root", List.of("mkfs.ext4", "-F", "-q", "-L", plan.root().label(), plan.device(3)), o);
            // Slot b holds nothing until the first update; an old system there must not look bootable.
            exec("clearing the second root", List.of("wipefs", "--all", "--force", plan.device(4)), o);
            String vmStore = plan.device(5);
            String luksUuid = null;
            if (o.encryption() != null) {
                encrypt(plan.device(5), o);
                luksUuid = uuid(plan.device(5), o);
                vmStore = "/dev/mapper/" + INSTALL_MAPPING;
            }
            exec("mkfs of the VM store",
                    List.of("mkfs.ext4", "-F", "-q", "-m", "0", "-L", PartitionPlan.VMS_LABEL, vmStore), o);
            BootConfig.Uuids uuids = new BootConfig.Uuids(uuid(plan.device(3), o), uuid(plan.device(2), o),
                    uuid(vmStore, o), luksUuid);

            what = "copying the live system to " + plan.device(3);
            progress.step(++step, STEPS, what);
            mount(plan.device(3), o.target(), o);
            // The VM store is mounted first, so what the live system keeps there lands on it.
            mount(vmStore, o.target().resolve(PartitionPlan.VM_STORAGE_MOUNT.substring(1)), o);
            copy(o, sourceBytes);

            what = "configuring the installed system";
            progress.step(++step, STEPS, what);
            mount(plan.device(2), o.target().resolve("boot/efi"), o);
            BootConfig.BootFiles boot = configure(o, plan, uuids);
            for (String fs : List.of("/dev", "/proc", "/sys")) {
                bind(fs, o.target(), o);
            }
            createAdmin(o);

            what = "installing GRUB for BIOS and UEFI";
            progress.step(++step, STEPS, what);
            installGrub(o, plan, uuids, boot);

            what = "unmounting";
            progress.step(++step, STEPS, what);
            exec("sync", List.of("sync"), o);
            unmountAll(o, true);
            closeMapping(o, true);

            progress.step(++step, STEPS, "done");
            progress.detail(o.dryRun() ? "dry run: every check passed; nothing was written"
                    : "Polydesk is installed on " + plan.disk() + " (Xen is GRUB's default entry);"
                    + " remove the installation medium and reboot.");
        } catch (InstallException e) {
            unmountAll(o, false);
            closeMapping(o, false);
            throw new InstallException("install failed at step " + step + "/" + STEPS + " (" + what + "): "
                    + e.getMessage() + (step >= 2 ? "\nThe disk " + o.disk() + " was partly written:"
                    + " run the install again (with --force) once the cause is fixed." : ""), e);
        }
    }

    /**
     * The host check, as polyctl host check words it, so whoever installs sees before anything is
     * written whether VMs and GPU passthrough will work here. It informs and does not refuse: a
     * machine without an IOMMU still runs VMs, and one without VT-x/AMD-V still runs PV guests.
     */
    private void describeMachine() {
        HostCheck found;
        try {
            found = machine.check();
        } catch (IOException | RuntimeException e) {
            progress.detail("this machine could not be checked (" + e.getMessage() + "); polyctl host check tells later");
            return;
        }
        for (HostCheck.Finding f : found.host()) {
            progress.detail(String.format("this machine: %-20s %-8s %s", f.name(),
                    f.status().name().toLowerCase(Locale.ROOT), f.detail()));
        }
        for (HostCheck.Display d : found.displays()) {
            progress.detail("display controller " + d.address() + " (" + d.vendor() + " " + d.device() + "): "
                    + d.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + (d.reasons().isEmpty() ? "" : ": " + String.join("; ", d.reasons())));
        }
    }

    /** The live root is there and fits on the root partition; returns its size in bytes. */
    private long checkSource(Options o, PartitionPlan plan) throws InstallException {
        if (o.dryRun()) {
            return 0;
        }
        if (!Files.isDirectory(o.source().resolve("etc")) || !Files.isDirectory(o.source().resolve("boot"))) {
            throw new InstallException("no live system at " + o.source() + ": polyctl install copies the running"
                    + " Polydesk live system, so run it from the Polydesk ISO or USB stick (or give --source DIR)");
        }
        if (o.admin() != null) {
            checkAdminName(o);
        }
        long bytes = sourceSize(o);
        long rootBytes = plan.root().sizeMib() * 1024 * 1024;
        if (bytes > rootBytes * 9 / 10) {
            throw new InstallException(String.format("the live system (%d MiB) does not fit on the root partition"
                    + " (%d MiB)", bytes >> 20, plan.root().sizeMib()));
        }
        progress.detail(String.format("live system: %s, %d MiB", o.source(), bytes >> 20));
        return bytes;
    }

    /** The administrator's name must not be one of the copied system's accounts (root, daemon, the UI's…). */
    private static void checkAdminName(Options o) throws InstallException {
        Path passwd = o.source().resolve("etc/passwd");
        try {
            if (Files.isReadable(passwd) && Files.readAllLines(passwd).stream()
                    .anyMatch(l -> l.startsWith(o.admin().name() + ":"))) {
                throw new InstallException("'" + o.admin().name() + "' is already an account of the system;"
                        + " choose another name for the administrator");
            }
        } catch (IOException e) {
            throw new InstallException("cannot read " + passwd + ": " + e.getMessage(), e);
        }
    }

    /** The administrator: a home, bash, the groups polydesk and sudo, the password hashed by chpasswd. */
    private void createAdmin(Options o) throws InstallException {
        if (o.admin() == null) {
            progress.detail("no administrator given (dry run)");
            return;
        }
        String name = o.admin().name();
        String t = o.target().toString();
        exec("creating the administrator " + name, List.of("chroot", t, "useradd", "--create-home", "--shell",
                "/bin/bash", "--comment", "Polydesk administrator", "--groups", "polydesk,sudo", name), o);
        List<String> chpasswd = List.of("chroot", t, "chpasswd");
        if (o.dryRun()) {
            progress.detail("would set " + name + "'s password: " + String.join(" ", chpasswd));
            record(chpasswd);
            return;
        }
        progress.detail("$ " + String.join(" ", chpasswd) + "   (" + name + "'s password on its input)");
        runner.check("setting " + name + "'s password", chpasswd, name + ":" + o.admin().password() + "\n");
        progress.detail("administrator " + name + " (groups polydesk, sudo) can log in");
    }

    /** live-build writes the root's size next to the squashfs; otherwise du says it. */
    private long sourceSize(Options o) throws InstallException {
        Path size = o.medium().resolve("live/filesystem.size");
        if (o.source().equals(LIVE_ROOT) && Files.isReadable(size)) {
            try {
                return Long.parseLong(Files.readString(size).strip());
            } catch (IOException | NumberFormatException e) {
                // fall through to du
            }
        }
        CommandRunner.Result r = runner.check("measuring the live system", List.of("du", "-sxb", o.source().toString()));
        try {
            return Long.parseLong(r.out().strip().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw new InstallException("cannot measure " + o.source() + ": du printed '" + r.out().strip() + "'");
        }
    }

    /**
     * Makes the kernel take the new table. sgdisk asks for that itself, but udev probing the
     * disk right after can make it (and a second BLKRRPART) fail with EBUSY: settle, retry,
     * and in the end let partx add the partitions one by one.
     */
    private void rereadPartitions(PartitionPlan plan, Options o) throws InstallException {
        List<String> reread = List.of("blockdev", "--rereadpt", plan.disk());
        if (o.dryRun()) {
            exec("waiting for udev", List.of("udevadm", "settle", "--timeout=30"), o);
            exec("re-reading the partition table", reread, o);
            return;
        }
        String why = "";
        for (int attempt = 1; attempt <= 5; attempt++) {
            settle();
            progress.detail("$ " + String.join(" ", reread));
            CommandRunner.Result r = runner.run(reread);
            if (r.exit() == 0) {
                settle();
                return;
            }
            why = r.err().strip();
            progress.detail("(busy, attempt " + attempt + " of 5: " + why + ")");
            sleep(1000);
        }
        exec("updating the kernel's partitions with partx (blockdev --rereadpt kept failing: " + why + ")",
                List.of("partx", "--update", plan.disk()), o);
        settle();
    }

    private void settle() throws InstallException {
        if (Files.isExecutable(Path.of("/usr/bin/udevadm")) || Files.isExecutable(Path.of("/bin/udevadm"))) {
            runner.run(List.of("udevadm", "settle", "--timeout=30"));
        }
    }

    private void waitForPartitions(PartitionPlan plan, Options o) throws InstallException {
        if (o.dryRun()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (PartitionPlan.Partition p : plan.partitions()) {
            while (!Files.exists(Path.of(plan.device(p.number())))) {
                if (System.nanoTime() > deadline) {
                    throw new InstallException(plan.device(p.number()) + " did not appear within 30 s of partitioning");
                }
                sleep(200);
            }
        }
    }

    private String uuid(String device, Options o) throws InstallException {
        CommandRunner.Result r = exec("reading the UUID of " + device,
                List.of("blkid", "-s", "UUID", "-o", "value", device), o);
        String uuid = o.dryRun() ? "<uuid-of-" + device + ">" : r.out().strip();
        if (uuid.isEmpty()) {
            throw new InstallException("blkid gives no UUID for " + device);
        }
        return uuid;
    }

    /**
     * LUKS2 on the VM store's partition, then opened for mkfs and the copy. The passphrase goes to
     * cryptsetup on its standard input, never on a command line, and without a line break: the boot
     * prompt takes the line without one. Argon2id's memory is capped at 512 MiB so that dom0 (2 GiB)
     * can unlock it at boot while its services start.
     */
    private void encrypt(String partition, Options o) throws InstallException {
        List<String> format = List.of("cryptsetup", "luksFormat", "--batch-mode", "--type", "luks2",
                "--pbkdf", "argon2id", "--pbkdf-memory", "524288", "--label", PartitionPlan.VMS_LABEL,
                "--key-file=-", partition);
        List<String> open = List.of("cryptsetup", "open", "--type", "luks2", "--key-file=-", partition, INSTALL_MAPPING);
        if (o.dryRun()) {
            exec("encrypting the VM store", format, o);
            exec("opening the VM store", open, o);
            return;
        }
        String key = o.encryption().passphrase();
        progress.detail("$ " + String.join(" ", format) + "   (the passphrase on its input)");
        runner.check("encrypting the VM store (LUKS2)", format, key);
        progress.detail("$ " + String.join(" ", open) + "   (the passphrase on its input)");
        runner.check("opening the encrypted VM store", open, key);
        mappingOpen = true;
    }

    private void closeMapping(Options o, boolean strict) throws InstallException {
        if (o.dryRun() && o.encryption() != null) {
            record(List.of("cryptsetup", "close", INSTALL_MAPPING));
            return;
        }
        if (!mappingOpen) {
            return;
        }
        CommandRunner.Result r = runner.run(List.of("cryptsetup", "close", INSTALL_MAPPING));
        if (r.exit() != 0 && strict) {
            throw new InstallException("cannot close the VM store's mapping " + INSTALL_MAPPING + ": " + r.err().strip());
        }
        mappingOpen = r.exit() != 0;
    }

    private void mount(String device, Path where, Options o) throws InstallException {
        if (!o.dryRun()) {
            try {
                Files.createDirectories(where);
            } catch (IOException e) {
                throw new InstallException("cannot create " + where + ": " + e.getMessage(), e);
            }
        }
        exec("mounting " + device, List.of("mount", device, where.toString()), o);
        mounted.push(where);
    }

    private void bind(String what, Path target, Options o) throws InstallException {
        Path where = target.resolve(what.substring(1));
        exec("bind-mounting " + what, List.of("mount", "--bind", what, where.toString()), o);
        mounted.push(where);
    }

    /** cp -a of the live root, with a percentage from the space used on the target. */
    private void copy(Options o, long sourceBytes) throws InstallException {
        List<String> cmd = List.of("cp", "-a", o.source() + "/.", o.target() + "/");
        if (o.dryRun()) {
            exec("copying", cmd, o);
            return;
        }
        copyTree(runner, progress, o.source(), o.target(), sourceBytes);
    }

    /**
     * cp -a of a system's root ({@code sourceBytes} large) onto an empty file system, with a
     * percentage from the space used on the target; the updater copies a new system the same way.
     */
    static void copyTree(CommandRunner runner, Progress progress, Path source, Path target, long sourceBytes)
            throws InstallException {
        List<String> cmd = List.of("cp", "-a", source + "/.", target + "/");
        progress.detail("$ " + String.join(" ", cmd));
        Process p = runner.start(cmd);
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        long startUsed = used(target);
        long started = System.nanoTime();
        int lastReported = -1;
        long lastReportAt = 0;
        try {
            while (!p.waitFor(2, TimeUnit.SECONDS)) {
                long copied = Math.max(0, used(target) - startUsed);
                int pct = sourceBytes > 0 ? (int) Math.min(99, copied * 100 / sourceBytes) : 0;
                long now = System.nanoTime();
                if (pct / 5 != lastReported / 5 || now - lastReportAt > TimeUnit.SECONDS.toNanos(30)) {
                    progress.detail(String.format("copying: %3d%% (%d of %d MiB, %d s)", pct, copied >> 20,
                            sourceBytes >> 20, TimeUnit.NANOSECONDS.toSeconds(now - started)));
                    lastReported = pct;
                    lastReportAt = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new InstallException("interrupted while copying", e);
        }
        if (p.exitValue() != 0) {
            throw new InstallException("copying " + source + " failed: cp exited " + p.exitValue() + ":\n    "
                    + CommandRunner.lastLines(err.join(), 6).replace("\n", "\n    "));
        }
        progress.detail(String.format("copying: 100%% (%d MiB in %d s)", Math.max(0, used(target) - startUsed) >> 20,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
    }

    private static long used(Path p) {
        try {
            FileStore fs = Files.getFileStore(p);
            return fs.getTotalSpace() - fs.getUnallocatedSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    /** fstab, hostname, the time zone and keyboard, the install record; finds Xen, the kernel and the initrd in /boot. */
    private BootConfig.BootFiles configure(Options o, PartitionPlan plan, BootConfig.Uuids uuids)
            throws InstallException {
        Path t = o.target();
        if (o.dryRun()) {
            progress.detail("would write /etc/fstab:\n" + BootConfig.fstab(uuids).strip());
            if (uuids.luks() != null) {
                progress.detail("would write /etc/crypttab:\n" + BootConfig.crypttab(uuids).strip());
            }
            if (o.timeZone() != null) {
                progress.detail("would set the time zone " + o.timeZone().name());
            }
            if (o.keyboard() != null) {
                progress.detail("would set the keyboard layout " + o.keyboard());
            }
            return new BootConfig.BootFiles("xen-4.17-amd64.gz", "vmlinuz-VERSION", "initrd.img-VERSION");
        }
        try {
            Files.writeString(t.resolve("etc/fstab"), BootConfig.fstab(uuids));
            progress.detail("wrote /etc/fstab (root " + uuids.root() + ", ESP " + uuids.esp() + ", VM store "
                    + uuids.vmStorage() + " on " + PartitionPlan.VM_STORAGE_MOUNT + ")");
            if (uuids.luks() != null) {
                Files.writeString(t.resolve("etc/crypttab"), BootConfig.crypttab(uuids));
                progress.detail("wrote /etc/crypttab: the VM store (LUKS2 " + uuids.luks() + ") is unlocked at each boot"
                        + " by its passphrase, asked on the screen and on the serial console");
            }
            if (o.timeZone() != null) {
                writeTimeZone(t, o.timeZone());
                progress.detail("time zone " + o.timeZone().name());
            }
            if (o.keyboard() != null) {
                o.keyboard().write(t);
                progress.detail("keyboard layout " + o.keyboard() + " in /etc/default/keyboard");
            }
            Files.writeString(t.resolve("etc/hostname"), "polydesk\n");
            // live-config fills /etc/hosts at each live boot; the live root's own is empty.
            Files.writeString(t.resolve("etc/hosts"), "127.0.0.1\tlocalhost\n127.0.1.1\tpolydesk\n"
                    + "::1\tlocalhost ip6-localhost ip6-loopback\n");
            Files.createDirectories(t.resolve("etc/polydesk"));
            Files.writeString(t.resolve("etc/polydesk/installed"), "installed: " + Instant.now() + "\ndisk: "
                    + plan.disk() + "\nroot: UUID=" + uuids.root() + "\n");
            BootConfig.BootFiles boot = bootFiles(o.target(), o.medium(), progress);
            progress.detail("boot files: " + boot.xen() + ", " + boot.kernel() + ", " + boot.initrd());
            return boot;
        } catch (IOException e) {
            throw new InstallException("cannot write the installed system's configuration: " + e.getMessage(), e);
        }
    }

    /** /etc/timezone and the /etc/localtime link, as tzdata's own configuration writes them. */
    private static void writeTimeZone(Path target, TimeZone zone) throws IOException {
        Files.writeString(target.resolve("etc/timezone"), zone.name() + "\n");
        Path link = target.resolve("etc/localtime");
        Path fresh = target.resolve("etc/.localtime.polydesk");
        Files.deleteIfExists(fresh);
        Files.createSymbolicLink(fresh, TimeZone.ZONEINFO.resolve(zone.name()));
        Files.move(fresh, link, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The newest xen-*.gz, vmlinuz-* and its initrd.img-* in the target's /boot (copied from the medium if missing). */
    static BootConfig.BootFiles bootFiles(Path target, Path medium, Progress progress) throws IOException, InstallException {
        Path boot = target.resolve("boot");
        Optional<String> kernel = newest(boot, "vmlinuz-");
        if (kernel.isEmpty() || !Files.exists(boot.resolve("initrd.img-" + kernel.get().substring(8)))) {
            String version = newest(target.resolve("lib/modules"), "").orElseThrow(
                    () -> new InstallException("no kernel in the copied system (/boot and /lib/modules are empty)"));
            Path liveDir = medium.resolve("live");
            Files.copy(liveDir.resolve("vmlinuz"), boot.resolve("vmlinuz-" + version),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(liveDir.resolve("initrd.img"), boot.resolve("initrd.img-" + version),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            progress.detail("copied the kernel and initrd " + version + " from " + liveDir);
            kernel = Optional.of("vmlinuz-" + version);
        }
        String version = kernel.get().substring("vmlinuz-".length());
        Optional<String> xen = newestMatching(boot, "xen-", ".gz");
        if (xen.isEmpty()) {
            Path fromMedium = medium.resolve("live/xen.gz");
            if (!Files.exists(fromMedium)) {
                throw new InstallException("no Xen in the copied system's /boot nor on the medium (" + fromMedium + ")");
            }
            Files.copy(fromMedium, boot.resolve("xen-polydesk.gz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            xen = Optional.of("xen-polydesk.gz");
        }
        return new BootConfig.BootFiles(xen.get(), kernel.get(), "initrd.img-" + version);
    }

    private static Optional<String> newest(Path dir, String prefix) throws IOException {
        return newestMatching(dir, prefix, "");
    }

    private static Optional<String> newestMatching(Path dir, String prefix, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith(suffix) && n.length() > prefix.length())
                    .max(Comparator.comparing(Installer::versionKey));
        }
    }

    /** Sorts names by their numbers (6.1.0-10 before 6.1.0-9 would be wrong as text). */
    static String versionKey(String name) {
        StringBuilder b = new StringBuilder();
        for (String part : name.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)")) {
            b.append(part.chars().allMatch(Character::isDigit) ? String.format("%012d", Long.parseLong(
                    part.length() > 12 ? part.substring(0, 12) : part)) : part);
        }
        return b.toString();
    }

    /**
     * GRUB for BIOS and UEFI with its directory on the EFI system partition, where both system slots
     * find it: the menu that chooses the slot, slot a's entries, and the environment block that says
     * slot a (this install) is the one kept.
     */
    private void installGrub(Options o, PartitionPlan plan, BootConfig.Uuids uuids, BootConfig.BootFiles boot)
            throws InstallException {
        Path t = o.target();
        exec("GRUB for BIOS", List.of("chroot", t.toString(), "grub-install", "--target=i386-pc",
                "--boot-directory=/boot/efi", plan.disk()), o);
        exec("GRUB for UEFI", List.of("chroot", t.toString(), "grub-install", "--target=x86_64-efi",
                "--efi-directory=/boot/efi", "--boot-directory=/boot/efi", "--removable", "--no-nvram", plan.disk()), o);
        String release = o.dryRun() ? "RELEASE" : BootSlots.readRelease(t.resolve(BootSlots.RELEASE.toString().substring(1)));
        String slotCfg = BootConfig.slotCfg("a", release, uuids.root(), boot, o.xenCmdline());
        if (o.dryRun()) {
            progress.detail("would write /boot/efi/grub/grub.cfg:\n" + BootConfig.grubCfg().strip());
            progress.detail("would write /boot/efi/grub/slot-a.cfg:\n" + slotCfg.strip());
            return;
        }
        BootSlots slots = new BootSlots(t.resolve("boot/efi/grub"), BootSlots.CMDLINE, BootSlots.RELEASE);
        try {
            org.polydesk.toolstack.definition.AtomicFile.write(t.resolve("boot/efi/grub/grub.cfg"),
                    BootConfig.grubCfg().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            org.polydesk.toolstack.definition.AtomicFile.write(slots.slotConfig("a"),
                    slotCfg.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            GrubEnv.write(slots.env(), BootSlots.installed(release));
        } catch (IOException e) {
            throw new InstallException("cannot write GRUB's menu on the EFI system partition: " + e.getMessage(), e);
        }
        progress.detail("wrote GRUB's menu on the EFI system partition: system a (" + release + "), Xen ("
                + boot.xen() + " " + o.xenCmdline() + ") by default; system b is empty until the first update");
    }

    private void unmountAll(Options o, boolean strict) throws InstallException {
        while (!mounted.isEmpty()) {
            Path where = mounted.pop();
            CommandRunner.Result r = o.dryRun() ? record(List.of("umount", where.toString()))
                    : runner.run(List.of("umount", where.toString()));
            if (r.exit() != 0) {
                r = runner.run(List.of("umount", "--lazy", where.toString()));
                if (r.exit() != 0 && strict) {
                    throw new InstallException("cannot unmount " + where + ": " + r.err().strip());
                }
            }
        }
    }

    private CommandRunner.Result exec(String what, List<String> command, Options o) throws InstallException {
        if (o.dryRun()) {
            progress.detail("would run: " + String.join(" ", command));
            return record(command);
        }
        progress.detail("$ " + String.join(" ", command));
        return runner.check(what, command);
    }

    private CommandRunner.Result record(List<String> command) {
        dryRunCommands.add(List.copyOf(command));
        return new CommandRunner.Result(0, "", "");
    }

    private static void sleep(long ms) throws InstallException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("interrupted", e);
        }
    }
}
