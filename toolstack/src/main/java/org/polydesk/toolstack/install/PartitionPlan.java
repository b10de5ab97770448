package org.polydesk.toolstack.install;

import java.util.ArrayList;
import java.util.List;

/**
 * The GPT layout the installer writes: BIOS boot (for GRUB's core image on BIOS machines),
 * the EFI system partition (GRUB's menu and environment), two dom0 roots of the same size (system
 * slots a and b: one runs, an update goes into the other), and the rest of the disk for VM storage.
 * Sizes are in MiB and every partition starts on a MiB boundary.
 */
public record PartitionPlan(String disk, long diskMib, List<Partition> partitions) {
    public static final long BIOS_BOOT_MIB = 1;
    public static final long ESP_MIB = 256;
    public static final long ROOT_MIN_MIB = 6 * 1024;
    public static final long ROOT_MAX_MIB = 16 * 1024;
    public static final long VM_STORAGE_MIN_MIB = 2 * 1024;
    /** The first MiB holds the protective MBR and the GPT; the last one the backup GPT. */
    static final long FIRST_MIB = 1;
    static final long TAIL_MIB = 1;

    /** The roots' labels are this with the slot: polydesk-root-a, polydesk-root-b. */
    public static final String ROOT_LABEL = "polydesk-root";
    public static final String VMS_LABEL = "polydesk-vms";
    /** FAT labels hold at most 11 characters. */
    public static final String ESP_LABEL = "POLYDESK";
    /**
     * The VM store: polydeskd's definitions, disk images, media, networks and settings, all on the last
     * partition, apart from the system's root; an encrypted install puts it on LUKS2.
     */
    public static final String VM_STORAGE_MOUNT = "/var/lib/polydesk";

    public enum Filesystem { NONE, VFAT, EXT4 }

    /** One partition: its number, GPT name, sgdisk type code, where it goes and what it holds. */
    public record Partition(int number, String name, String typeCode, long startMib, long sizeMib,
                            Filesystem filesystem, String label, String mountPoint) {
        public long endMib() {
            return startMib + sizeMib;
        }
    }

    /** The smallest disk the plan fits on. */
    public static long minimumDiskMib() {
        return FIRST_MIB + BIOS_BOOT_MIB + ESP_MIB + 2 * ROOT_MIN_MIB + VM_STORAGE_MIN_MIB + TAIL_MIB;
    }

    /**
     * The plan for a disk of {@code sizeBytes}. Each root gets an eighth of the disk, at least
     * {@link #ROOT_MIN_MIB} and at most {@link #ROOT_MAX_MIB}; VM storage gets the rest.
     */
    public static PartitionPlan forDisk(String disk, long sizeBytes) throws InstallException {
        long diskMib = sizeBytes / (1024 * 1024);
        if (diskMib < minimumDiskMib()) {
            throw new InstallException(String.format(
                    "%s is too small: %s; Polydesk needs at least %s (two %d MiB system partitions, %d MiB for VMs,"
                    + " boot partitions)", disk, human(diskMib), human(minimumDiskMib()), ROOT_MIN_MIB, VM_STORAGE_MIN_MIB));
        }
        long usable = diskMib - FIRST_MIB - TAIL_MIB;
        long root = Math.max(ROOT_MIN_MIB, Math.min(ROOT_MAX_MIB, diskMib / 8));
        List<Partition> parts = new ArrayList<>();
        long at = FIRST_MIB;
        parts.add(new Partition(1, "polydesk-bios", "EF02", at, BIOS_BOOT_MIB, Filesystem.NONE, null, null));
        at += BIOS_BOOT_MIB;
        parts.add(new Partition(2, "polydesk-efi", "EF00", at, ESP_MIB, Filesystem.VFAT, ESP_LABEL, "/boot/efi"));
        at += ESP_MIB;
        parts.add(new Partition(3, ROOT_LABEL + "-a", "8300", at, root, Filesystem.EXT4, ROOT_LABEL + "-a", "/"));
        at += root;
        // Slot b stays empty until the first update writes it.
        parts.add(new Partition(4, ROOT_LABEL + "-b", "8300", at, root, Filesystem.NONE, null, null));
        at += root;
        long rest = FIRST_MIB + usable - at;
        parts.add(new Partition(5, VMS_LABEL, "8300", at, rest, Filesystem.EXT4, VMS_LABEL, VM_STORAGE_MOUNT));
        return new PartitionPlan(disk, diskMib, List.copyOf(parts));
    }

    /** Slot a's root, the one the installer writes. */
    public Partition root() {
        return byNumber(3);
    }

    /** Slot b's root, for the first update. */
    public Partition rootB() {
        return byNumber(4);
    }

    public Partition esp() {
        return byNumber(2);
    }

    public Partition vmStorage() {
        return byNumber(5);
    }

    public Partition byNumber(int n) {
        return partitions.stream().filter(p -> p.number() == n).findFirst().orElseThrow();
    }

    /** The device node of partition {@code n}: /dev/sda3, /dev/vdb3, /dev/nvme0n1p3, /dev/mmcblk0p3. */
    public String device(int n) {
        return partitionDevice(disk, n);
    }

    public static String partitionDevice(String disk, int n) {
        return Character.isDigit(disk.charAt(disk.length() - 1)) ? disk + "p" + n : disk + n;
    }

    /** The sgdisk command that writes this plan (after the disk was zapped). */
    public List<String> sgdiskCommand() {
        List<String> cmd = new ArrayList<>(List.of("sgdisk"));
        for (Partition p : partitions) {
            boolean last = p.number() == partitions.get(partitions.size() - 1).number();
            cmd.add("--new=" + p.number() + ":" + p.startMib() + "M:" + (last ? "0" : "+" + p.sizeMib() + "M"));
            cmd.add("--typecode=" + p.number() + ":" + p.typeCode());
            cmd.add("--change-name=" + p.number() + ":" + p.name());
        }
        cmd.add(disk);
        return cmd;
    }

    /** A table for people, one line a partition. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%s, %s, GPT:%n", disk, human(diskMib)));
        for (Partition p : partitions) {
            String what = switch (p.number()) {
                case 1 -> "BIOS boot (GRUB)";
                case 2 -> "EFI system, vfat";
                case 3 -> "dom0 root a, ext4";
                case 4 -> "dom0 root b (updates)";
                default -> "VM store, ext4";
            };
            b.append(String.format("  %-16s %10s  %-18s %s%n", device(p.number()), human(p.sizeMib()), what,
                    p.mountPoint() == null ? "" : p.mountPoint()));
        }
        return b.toString();
    }

    static String human(long mib) {
        return mib >= 10 * 1024 ? String.format("%.1f GiB", mib / 1024.0) : mib + " MiB";
    }
}
