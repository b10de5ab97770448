package org.polydesk.toolstack.install;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The refusals: the installer writes only to a disk that is not the one Polydesk runs
 * from, has nothing mounted, is writable, is big enough, and is empty (or --force).
 */
public final class DiskChecks {
    private DiskChecks() {
    }

    /** One reason not to install to a disk; {@code erases} ones (data would be lost) are what force allows. */
    public record Problem(String message, boolean erases) {
    }

    /**
     * Every reason not to install to {@code disk}, in the order a person should read them.
     * @param signatures what wipefs finds on the whole disk (a file system, a partition table), if anything
     */
    public static List<Problem> problems(BlockDevices.Disk disk, Set<String> bootDisks,
                                         Map<String, Set<String>> inUse, List<String> signatures) {
        List<Problem> why = new ArrayList<>();
        if (bootDisks.contains(disk.name())) {
            why.add(new Problem(disk.path() + " is the disk Polydesk is running from (mounted at "
                    + String.join(", ", inUse.getOrDefault(disk.name(), Set.of())) + "); install to another disk", false));
        } else if (inUse.containsKey(disk.name())) {
            why.add(new Problem(disk.path() + " is in use: mounted at " + String.join(", ", inUse.get(disk.name()))
                    + "; unmount it first (even --force does not write to a mounted disk)", false));
        }
        if (disk.readOnly()) {
            why.add(new Problem(disk.path() + " is read-only", false));
        }
        if (!disk.partitions().isEmpty()) {
            why.add(new Problem(disk.path() + " has partitions (" + String.join(", ", disk.partitions())
                    + "); everything on it would be lost", true));
        } else if (!signatures.isEmpty()) {
            why.add(new Problem(disk.path() + " holds data (" + String.join(", ", signatures)
                    + "); everything on it would be lost", true));
        }
        try {
            PartitionPlan.forDisk(disk.path(), disk.sizeBytes());
        } catch (InstallException e) {
            why.add(new Problem(e.getMessage(), false));
        }
        return why;
    }

    /**
     * Checks {@code disk} for an install; returns the plan when it may go ahead.
     * @param signatures what wipefs finds on the whole disk (a file system, a partition table), if anything
     * @throws InstallException with every reason it may not, one a line
     */
    public static PartitionPlan check(BlockDevices.Disk disk, Set<String> bootDisks,
                                      Map<String, Set<String>> inUse, List<String> signatures,
                                      boolean force) throws InstallException {
        List<String> why = problems(disk, bootDisks, inUse, signatures).stream()
                .filter(p -> !(p.erases() && force))
                .map(p -> p.erases() ? p.message() + ": add --force to erase it" : p.message())
                .toList();
        if (!why.isEmpty()) {
            throw new InstallException("will not install to " + disk.path() + ":\n  " + String.join("\n  ", why));
        }
        return PartitionPlan.forDisk(disk.path(), disk.sizeBytes());
    }
}
