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

    /**
     * Checks {@code disk} for an install; returns the plan when it may go ahead.
     * @param signatures what wipefs finds on the whole disk (a file system, a partition table), if anything
     * @throws InstallException with every reason it may not, one a line
     */
    public static PartitionPlan check(BlockDevices.Disk disk, Set<String> bootDisks,
                                      Map<String, Set<String>> inUse, List<String> signatures,
                                      boolean force) throws InstallException {
        List<String> why = new ArrayList<>();
        if (bootDisks.contains(disk.name())) {
            why.add(disk.path() + " is the disk Polydesk is running from (mounted at "
                    + String.join(", ", inUse.getOrDefault(disk.name(), Set.of())) + "); install to another disk");
        } else if (inUse.containsKey(disk.name())) {
            why.add(disk.path() + " is in use: mounted at " + String.join(", ", inUse.get(disk.name()))
                    + "; unmount it first (even --force does not write to a mounted disk)");
        }
        if (disk.readOnly()) {
            why.add(disk.path() + " is read-only");
        }
        if (!disk.partitions().isEmpty() && !force) {
            why.add(disk.path() + " has partitions (" + String.join(", ", disk.partitions())
                    + "); everything on it would be lost: add --force to erase it");
        }
        if (disk.partitions().isEmpty() && !signatures.isEmpty() && !force) {
            why.add(disk.path() + " holds data (" + String.join(", ", signatures)
                    + "); everything on it would be lost: add --force to erase it");
        }
        PartitionPlan plan = null;
        try {
            plan = PartitionPlan.forDisk(disk.path(), disk.sizeBytes());
        } catch (InstallException e) {
            why.add(e.getMessage());
        }
        if (!why.isEmpty()) {
            throw new InstallException("will not install to " + disk.path() + ":\n  " + String.join("\n  ", why));
        }
        return plan;
    }
}
