package org.polydesk.toolstack.media;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
import org.polydesk.protocol.media.UsbIsoFile;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.toolstack.install.BlockDevices;
import org.polydesk.toolstack.install.CommandRunner;
import org.polydesk.toolstack.install.InstallException;

/**
 * The removable disks plugged into the host (USB sticks) as sources of installer media. A stick's
 * file system is mounted only while it is read: read-only, without devices, set-uid or execution,
 * without replaying a journal (a plain read-only mount of ext4, XFS or btrfs writes its journal to
 * the stick), on a private directory of its own, and unmounted afterwards, also when the reading fails. The
 * disk Polydesk runs from (a live stick) is never offered.
 */
public final class UsbSticks {
    private static final Logger LOG = Logger.getLogger(UsbSticks.class.getName());
    static final String MOUNT_OPTIONS = "ro,nosuid,nodev,noexec";
    /** How deep below a stick's root ISO files are looked for, and how many at most. */
    private static final int MAX_DEPTH = 4;
    private static final int MAX_FILES = 500;

    /** Where the disks are seen: the real /sys, /dev and mounts, or a test's made-up ones. */
    public interface Devices {
        BlockDevices read() throws IOException;
    }

    /** A file system on a stick: a partition, or the whole stick when it has no partition table. */
    record Partition(String device, String stick) {
    }

    private final Devices devices;
    private final CommandRunner runner;
    private final Path mountRoot;

    /** Sticks from {@code devices}, mounted with {@code runner}'s mount and umount under {@code mountRoot}. */
    public UsbSticks(Devices devices, CommandRunner runner, Path mountRoot) {
        this.devices = devices;
        this.runner = runner;
        this.mountRoot = mountRoot;
    }

    /** The host's sticks, mounted under {@code runDir}/media-mounts. */
    public static UsbSticks system(Path runDir) {
        return new UsbSticks(BlockDevices::system, CommandRunner.system(), runDir.resolve("media-mounts"));
    }

    /** Every file system on a removable disk other than the one Polydesk runs from. */
    List<Partition> partitions() throws RpcException {
        try {
            BlockDevices bd = devices.read();
            Set<String> boot = bd.bootDisks();
            List<Partition> out = new ArrayList<>();
            for (BlockDevices.Disk disk : bd.disks()) {
                if (boot.contains(disk.name()) || !bd.removable(disk.name())) {
                    continue;
                }
                String stick = disk.model().isBlank() ? "removable disk " + disk.path() : disk.model();
                if (disk.partitions().isEmpty()) {
                    out.add(new Partition(disk.path(), stick));
                }
                for (String p : disk.partitions()) {
                    out.add(new Partition(Path.of(disk.path()).resolveSibling(p).toString(), stick));
                }
            }
            return out;
        } catch (IOException | InstallException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot read the host's disks: " + e.getMessage());
        }
    }

    /** The partition {@code device} names, if it is one of {@link #partitions()}. */
    Partition partition(String device) throws RpcException {
        for (Partition p : partitions()) {
            if (p.device().equals(device)) {
                return p;
            }
        }
        throw new RpcException(ErrorCode.NOT_FOUND, device + " is no partition of a removable disk plugged into the host"
                + " (media.usb.list shows those with ISO files)");
    }

    /** The ISO files on every stick's file systems; a partition that cannot be mounted (no file system) is passed over. */
    public List<UsbIsoFile> isoFiles() throws RpcException {
        List<UsbIsoFile> out = new ArrayList<>();
        for (Partition p : partitions()) {
            try (Mounted m = mount(p.device())) {
                for (Path f : m.isoFiles()) {
                    out.add(new UsbIsoFile(p.device(), p.stick(), m.root().relativize(f).toString(), Files.size(f)));
                }
            } catch (RpcException | IOException e) {
                LOG.info("passing over " + p.device() + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** The mount options for a file system of {@code type} (blkid's name): a journal is never replayed onto the stick. */
    static String mountOptions(String type) {
        return switch (type) {
            case "ext3", "ext4" -> MOUNT_OPTIONS + ",noload";
            case "xfs" -> MOUNT_OPTIONS + ",norecovery";
            case "btrfs" -> MOUNT_OPTIONS + ",rescue=nologreplay";
            default -> MOUNT_OPTIONS;
        };
    }

    /** {@code device} mounted read-only on a private directory; closing unmounts it and removes the directory. */
    Mounted mount(String device) throws RpcException {
        Path dir;
        try {
            Files.createDirectories(mountRoot);
            dir = Files.createTempDirectory(mountRoot, "usb-", PosixFilePermissions.asFileAttribute(
                    EnumSet.copyOf(PosixFilePermissions.fromString("rwx------"))));
        } catch (IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot make a mount point under " + mountRoot + ": " + e.getMessage());
        }
        try {
            CommandRunner.Result type = runner.run(List.of("blkid", "-p", "-o", "value", "-s", "TYPE", device));
            if (type.exit() != 0 || type.out().isBlank()) {
                throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot mount " + device + ": it has no file system that blkid knows");
            }
            CommandRunner.Result r = runner.run(List.of("mount", "-o", mountOptions(type.out().strip()), device, dir.toString()));
            if (r.exit() != 0) {
                throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot mount " + device + " read-only: "
                        + (r.err().isBlank() ? "mount exited " + r.exit() : r.err().strip()));
            }
        } catch (InstallException | RpcException e) {
            removeQuietly(dir);
            throw e instanceof RpcException re ? re : new RpcException(ErrorCode.BACKEND_FAILED, e.getMessage());
        }
        return new Mounted(device, dir);
    }

    /** A stick's file system while it is mounted. */
    final class Mounted implements AutoCloseable {
        private final String device;
        private final Path root;

        private Mounted(String device, Path root) {
            this.device = device;
            this.root = root;
        }

        Path root() {
            return root;
        }

        /** The ISO files (by name, any case), not following links, sorted. */
        List<Path> isoFiles() throws IOException {
            List<Path> found = new ArrayList<>();
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".iso")) {
                        found.add(file);
                    }
                    return found.size() >= MAX_FILES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
            found.sort(null);
            return found;
        }

        /**
         * The regular file {@code relative} inside this file system: refused when it climbs out (by
         * '..' or by a link) or is no file.
         */
        Path file(String relative) throws RpcException {
            Path f;
            try {
                f = root.resolve(relative).normalize();
                if (!f.startsWith(root) || !f.toRealPath().startsWith(root.toRealPath()) || !Files.isRegularFile(f)) {
                    throw new IOException("not a file inside it");
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new RpcException(ErrorCode.NOT_FOUND, "no ISO file " + relative + " on " + device);
            }
            return f;
        }

        /** Unmounts (lazily if the file system is busy) and removes the mount point. */
        @Override
        public void close() {
            try {
                CommandRunner.Result r = runner.run(List.of("umount", root.toString()));
                if (r.exit() != 0) {
                    LOG.warning("umount " + root + " failed (" + r.err().strip() + "); detaching it lazily");
                    runner.run(List.of("umount", "-l", root.toString()));
                }
            } catch (InstallException e) {
                LOG.warning("cannot unmount " + device + " from " + root + ": " + e.getMessage());
            }
            removeQuietly(root);
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warning("cannot remove the mount point " + dir + ": " + e.getMessage());
        }
    }
}
