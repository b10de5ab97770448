package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the kernel says about disks (sysfs) and what is mounted (/proc/self/mounts,
 * /proc/swaps). The roots are parameters so tests give a made-up tree.
 */
public final class BlockDevices {
    /** Mount points that mean "Polydesk booted from here": the root, and live-boot's medium. */
    static final List<String> BOOT_MOUNTS = List.of("/", "/run/live/medium", "/lib/live/mount/medium", "/boot", "/boot/efi");

    private final Path sys;
    private final Path dev;
    private final String mounts;
    private final String swaps;

    public BlockDevices(Path sys, Path dev, String mounts, String swaps) {
        this.sys = sys;
        this.dev = dev;
        this.mounts = mounts;
        this.swaps = swaps;
    }

    public static BlockDevices system() throws IOException {
        return new BlockDevices(Path.of("/sys"), Path.of("/dev"), Files.readString(Path.of("/proc/self/mounts")),
                Files.exists(Path.of("/proc/swaps")) ? Files.readString(Path.of("/proc/swaps")) : "");
    }

    /** A whole disk as sysfs shows it. */
    public record Disk(String name, String path, long sizeBytes, boolean readOnly, String model,
                       List<String> partitions) {
    }

    /** One mounted block device: what, where. */
    public record Mount(String device, String mountPoint) {
    }

    /**
     * The disk {@code path} names (/dev/vdb, or a /dev/disk/by-* link to it).
     * @throws InstallException if it is no block device, or a partition rather than a disk
     */
    public Disk disk(String path) throws InstallException {
        String name = kernelName(path);
        Path classDir = sys.resolve("class/block").resolve(name);
        if (!Files.exists(classDir)) {
            throw new InstallException(path + " is not a block device (no " + classDir + ")");
        }
        if (Files.exists(classDir.resolve("partition"))) {
            throw new InstallException(path + " is a partition; give the whole disk (for example "
                    + wholeDiskPath(name) + ")");
        }
        Path block = sys.resolve("block").resolve(name);
        if (!Files.isDirectory(block)) {
            throw new InstallException(path + " is not a whole disk (no " + block + ")");
        }
        long sectors = readLong(block.resolve("size"));
        boolean ro = readLong(block.resolve("ro")) != 0;
        String model = readString(block.resolve("device/model")).strip();
        List<String> parts = new ArrayList<>();
        try (Stream<Path> s = Files.list(block)) {
            s.filter(p -> Files.exists(p.resolve("partition"))).map(p -> p.getFileName().toString())
                    .sorted().forEach(parts::add);
        } catch (IOException e) {
            throw new InstallException("cannot list " + block + ": " + e.getMessage(), e);
        }
        return new Disk(name, dev.resolve(name).toString(), sectors * 512, ro, model, List.copyOf(parts));
    }

    /**
     * Every whole disk the kernel lists (/sys/block), by name; not loop, RAM or compressed-RAM
     * devices, nor empty drives (size 0, like a CD drive without a disc).
     */
    public List<Disk> disks() throws InstallException {
        List<Disk> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(sys.resolve("block"))) {
            for (String name : s.map(p -> p.getFileName().toString()).sorted().toList()) {
                if (name.matches("(loop|ram|zram)\\d+")) {
                    continue;
                }
                Disk d = disk(dev.resolve(name).toString());
                if (d.sizeBytes() > 0) {
                    out.add(d);
                }
            }
        } catch (IOException e) {
            throw new InstallException("cannot list the disks in " + sys.resolve("block") + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Whether the whole disk {@code name} is one a person plugs in: the kernel marks it removable, or
     * it hangs off a USB bus (many USB sticks and disks do not set the removable bit).
     */
    public boolean removable(String name) {
        Path block = sys.resolve("block").resolve(name);
        if ("1".equals(readString(block.resolve("removable")).strip())) {
            return true;
        }
        try {
            return block.toRealPath().toString().contains("/usb");
        } catch (IOException e) {
            return false;
        }
    }

    /** The kernel's name of the device at {@code path}, following /dev/disk/by-* links. */
    String kernelName(String path) throws InstallException {
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            p = dev.resolve(path);
        }
        if (p.startsWith(dev) && Files.isSymbolicLink(p)) {
            try {
                p = p.toRealPath();
            } catch (IOException e) {
                throw new InstallException("cannot resolve " + path + ": " + e.getMessage(), e);
            }
        }
        if (!p.startsWith(dev) || p.getNameCount() != dev.getNameCount() + 1) {
            throw new InstallException(path + " is not a device under /dev");
        }
        return p.getFileName().toString();
    }

    /** The whole disk a block device belongs to (itself if it is a disk), by kernel name. */
    public String wholeDiskOf(String name) {
        Path classDir = sys.resolve("class/block").resolve(name);
        if (Files.exists(classDir.resolve("partition"))) {
            try {
                return classDir.toRealPath().getParent().getFileName().toString();
            } catch (IOException e) {
                return name;
            }
        }
        return name;
    }

    private String wholeDiskPath(String partition) {
        return "/dev/" + wholeDiskOf(partition);
    }

    /** Block devices that are mounted (or used as swap), with where. */
    public List<Mount> mounts() {
        List<Mount> out = new ArrayList<>();
        for (String line : mounts.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].startsWith("/")) {
                out.add(new Mount(f[0], unescape(f[1])));
            }
        }
        for (String line : swaps.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 1 && f[0].startsWith("/")) {
                out.add(new Mount(f[0], "[swap]"));
            }
        }
        return out;
    }

    /** Whole disks (kernel names) that hold a mounted file system or swap, with the mount points. */
    public Map<String, Set<String>> disksInUse() {
        Map<String, Set<String>> used = new LinkedHashMap<>();
        for (Mount m : mounts()) {
            String name;
            try {
                name = kernelName(m.device());
            } catch (InstallException e) {
                continue;
            }
            used.computeIfAbsent(wholeDiskOf(name), k -> new LinkedHashSet<>()).add(m.mountPoint());
        }
        return used;
    }

    /** Whole disks (kernel names) Polydesk booted from: those under /, live-boot's medium, /boot. */
    public Set<String> bootDisks() {
        Set<String> boot = new LinkedHashSet<>();
        disksInUse().forEach((disk, points) -> {
            if (points.stream().anyMatch(BOOT_MOUNTS::contains)) {
                boot.add(disk);
            }
        });
        return boot;
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static long readLong(Path p) throws InstallException {
        String s = readString(p).strip();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new InstallException("cannot read " + p + " (" + s + ")");
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
