package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.polydesk.toolstack.install.CommandRunner;
import org.polydesk.toolstack.install.FakeSys;
import org.polydesk.toolstack.install.InstallException;
import org.polydesk.toolstack.install.Installer;

/**
 * A live Polydesk machine made up under a directory, for the installer behind install.*: sysfs,
 * /dev and mounts of a system booted from its CD (sr0), with an empty 12 GiB disk (vdb), a
 * partitioned 64 GiB one (sda), one too small (vdc) and one whose writes fail (vde); a live root
 * to copy. The disk tools are simulated: partitions appear when sgdisk writes a table, blkid
 * answers UUIDs, mkfs on vde fails as a dying disk would. The copy is a real cp into
 * {@code target}. Every command, and what it got on its input, is recorded.
 * <p>
 * For host.* it is also an installed Polydesk: slot a runs release 1.0 (its root, GRUB's directory
 * and dom0's command line under the directory), slot b's partition is there, and beside it lies
 * {@code polydesk-2.0.iso}, a Polydesk ISO made by xorriso. Mounting an image extracts it (xorriso)
 * or, for the system's squashfs, copies the live root; unmounting the updater's mounts empties them.
 */
public final class SimulatedMachine implements CommandRunner {
    static final long GIB = 1024L * 1024 * 1024;
    static final String MOUNTS = "overlay / overlay rw 0 0\n/dev/sr0 /run/live/medium iso9660 ro 0 0\n"
            + "/dev/loop0 /run/live/rootfs/filesystem.squashfs squashfs ro 0 0\n";

    final FakeSys sys;
    final Path live;
    final Path target;
    final List<List<String>> ran = new CopyOnWriteArrayList<>();
    /** The installed system's side (host.update), and the ISO of the next release. */
    final Path installed;
    final Path grub;
    final Path cmdline;
    final Path partitions;
    final Path updateWork;
    final Path updateIso;
    final List<String> inputs = new CopyOnWriteArrayList<>();
    private final Map<String, String> signatures = Map.of("sda", "gpt\nPMBR\n");
    private final long delayMs;
    /** A program that fails wherever it runs (tests set it). */
    volatile String failing;
    /** While set, mkfs.vfat waits for it: an install held in step 3. */
    volatile CountDownLatch gate;

    /** {@code delayMs}: how long each command takes, so a person (or a UI test) sees the steps go by. */
    public SimulatedMachine(Path root, long delayMs) throws IOException {
        this.delayMs = delayMs;
        sys = new FakeSys(root.resolve("machine")).disk("sr0", 900L << 20).disk("loop0", 800L << 20)
                .disk("vdb", 16 * GIB).disk("sda", 64 * GIB, "sda1", "sda2").disk("vdc", 4 * GIB).disk("vde", 16 * GIB);
        live = root.resolve("live");
        Files.createDirectories(live.resolve("etc"));
        Files.writeString(live.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/bash\npolydesk-ui:x:101:108::/nonexistent:/usr/sbin/nologin\n");
        Files.createDirectories(live.resolve("boot"));
        Files.writeString(live.resolve("boot/vmlinuz-6.1.0-9-amd64"), "kernel");
        Files.writeString(live.resolve("boot/initrd.img-6.1.0-9-amd64"), "initrd");
        Files.writeString(live.resolve("boot/xen-4.17-amd64.gz"), "xen");
        Files.createDirectories(live.resolve("lib/modules/6.1.0-9-amd64"));
        // The release iso/build.sh writes; as the system of polydesk-2.0.iso (below) it is the next one.
        Files.createDirectories(live.resolve("etc/polydesk"));
        Files.writeString(live.resolve("etc/polydesk/release"), "2.0\n");
        target = root.resolve("target");
        // The live system's zone files: two zones are enough to tell a known name from an unknown one.
        Files.createDirectories(live.resolve("usr/share/zoneinfo/Europe"));
        Files.writeString(live.resolve("usr/share/zoneinfo/Europe/Berlin"), "TZif");
        Files.writeString(live.resolve("usr/share/zoneinfo/UTC"), "TZif");
        Files.createDirectories(live.resolve("usr/share/zoneinfo/posix/Europe"));
        Files.writeString(live.resolve("usr/share/zoneinfo/posix/Europe/Berlin"), "TZif");
        // Its XKB rules, in xkb-data's format: two layouts, a variant of one.
        Files.createDirectories(live.resolve("usr/share/X11/xkb/rules"));
        Files.writeString(live.resolve("usr/share/X11/xkb/rules/base.lst"), "! model\n  pc105           Generic 105-key PC\n\n"
                + "! layout\n  us              English (US)\n  de              German\n\n"
                + "! variant\n  nodeadkeys      de: German (no dead keys)\n  dvorak          us: English (Dvorak)\n\n"
                + "! option\n  grp             Switching to another layout\n");
        installed = root.resolve("installed");
        Files.createDirectories(installed.resolve("etc/polydesk"));
        Files.writeString(installed.resolve("etc/fstab"), "UUID=root-a  /  ext4  errors=remount-ro  0  1\n");
        Files.writeString(installed.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Files.writeString(installed.resolve("etc/polydesk/release"), "1.0\n");
        grub = Files.createDirectories(root.resolve("esp/grub"));
        org.polydesk.toolstack.install.GrubEnv.write(grub.resolve("grubenv"),
                org.polydesk.toolstack.install.BootSlots.installed("1.0"));
        cmdline = Files.writeString(root.resolve("cmdline"), "placeholder root=UUID=root-a ro polydesk.slot=a\n");
        partitions = Files.createDirectories(root.resolve("by-partlabel"));
        Files.writeString(partitions.resolve("polydesk-root-b"), "");
        updateWork = root.resolve("update");
        Path tree = root.resolve("iso-tree");
        Files.createDirectories(tree.resolve(".disk"));
        Files.createDirectories(tree.resolve("live"));
        Files.writeString(tree.resolve(".disk/polydesk-release"), "2.0\n");
        byte[] system = "the system".getBytes();
        Files.write(tree.resolve("live/filesystem.squashfs"), system);
        for (String f : new String[] {"vmlinuz", "initrd.img", "xen.gz"}) {
            Files.writeString(tree.resolve("live").resolve(f), f);
        }
        try {
            Files.writeString(tree.resolve("sha256sum.txt"), java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(system)) + "  ./live/filesystem.squashfs\n");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        updateIso = root.resolve("polydesk-2.0.iso");
        tool(List.of("xorriso", "-as", "mkisofs", "-quiet", "-R", "-V", "POLYDESK", "-o", updateIso.toString(), tree.toString()));
    }

    /** The updater of this machine's installed side, as polydeskd serves it. */
    UpdateApi updateApi() {
        return new UpdateApi(new org.polydesk.toolstack.install.BootSlots(grub, cmdline,
                installed.resolve("etc/polydesk/release")), this, image -> new org.polydesk.toolstack.install.Updater.Options(
                image, installed, partitions, updateWork, org.polydesk.toolstack.install.BootConfig.DEFAULT_XEN_CMDLINE));
    }

    /** A real tool the simulation uses (xorriso, cp), which must succeed. */
    private static void tool(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** An image mounted read-only: the ISO extracted, or the system's squashfs as the live root. */
    private Result mountImage(String source, Path dir) throws InstallException {
        try {
            Files.createDirectories(dir);
            if (source.endsWith("filesystem.squashfs")) {
                tool(List.of("cp", "-a", live + "/.", dir + "/"));
            } else {
                tool(List.of("xorriso", "-osirrox", "on", "-indev", source, "-extract", "/", dir.toString()));
            }
            return new Result(0, "", "");
        } catch (IOException e) {
            return new Result(32, "", "mount: " + source + ": " + e.getMessage() + "\n");
        }
    }

    private static Result empty(Path dir) throws InstallException {
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).toList()) {
                Files.delete(p);
            }
            return new Result(0, "", "");
        } catch (IOException e) {
            throw new InstallException("simulated umount: " + e);
        }
    }

    /** The installer of this machine, as polydeskd serves it. */
    InstallApi installApi() {
        return new InstallApi(() -> sys.devices(MOUNTS), this, Installer.Options.of("").withSource(live)
                .withMedium(live.resolve("medium")).withTarget(target), this::hostCheck,
                live.resolve("usr/share/zoneinfo"), live.resolve("usr/share/X11/xkb/rules/base.lst"));
    }

    /** The host check the installer shows: the one of the machine the test runs on (its /proc and /sys). */
    org.polydesk.protocol.toolstack.HostCheck hostCheck() throws java.io.IOException {
        return org.polydesk.toolstack.host.HardwareCheck.system().check();
    }

    /** The path of a disk (or partition) of this machine, like /dev/vdb. */
    public String dev(String name) {
        return sys.dev.resolve(name).toString();
    }

    @Override
    public Result run(List<String> command, String input) throws InstallException {
        ran.add(command);
        if (input != null) {
            inputs.add(input);
        }
        pause(delayMs);
        String program = command.get(0).equals("chroot") ? command.get(2) : command.get(0);
        String last = command.get(command.size() - 1);
        if (program.equals(failing) || (program.startsWith("mkfs") && last.startsWith(dev("vde")))) {
            return new Result(1, "", program + ": " + last + ": Input/output error\n");
        }
        CountDownLatch g = gate;
        if (g != null && program.equals("mkfs.vfat")) {
            pause(g);
        }
        if (program.equals("mount") && command.contains("-o")) {
            return mountImage(command.get(command.size() - 2), Path.of(last));
        }
        if (program.equals("umount") && Path.of(last).startsWith(updateWork) && Files.isDirectory(Path.of(last))) {
            return empty(Path.of(last));
        }
        switch (program) {
            case "wipefs" -> {
                return new Result(0, command.contains("--noheadings")
                        ? signatures.getOrDefault(Path.of(last).getFileName().toString(), "") : "", "");
            }
            case "sgdisk" -> {
                long partitions = command.stream().filter(a -> a.startsWith("--new")).count();
                if (partitions > 0) {
                    for (int n = 1; n <= partitions; n++) {
                        Path part = Path.of(last + n);
                        try {
                            if (!Files.exists(part)) {
                                Files.createFile(part);
                            }
                        } catch (IOException e) {
                            throw new InstallException("simulated sgdisk: " + e);
                        }
                    }
                }
                return new Result(0, "", "");
            }
            case "blkid" -> {
                return new Result(0, "uuid-" + Path.of(last).getFileName() + "\n", "");
            }
            case "du" -> {
                return new Result(0, "4096\t" + last + "\n", "");
            }
            default -> {
                return new Result(0, "", "");
            }
        }
    }

    @Override
    public Process start(List<String> command) throws InstallException {
        ran.add(command);
        try {
            return new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new InstallException(e.getMessage());
        }
    }

    private static void pause(long ms) throws InstallException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("interrupted");
        }
    }

    private static void pause(CountDownLatch gate) throws InstallException {
        try {
            gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("interrupted");
        }
    }
}
