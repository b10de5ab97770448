package org.polydesk.protocol.install;

import java.util.List;

/**
 * One disk as {@code install.disks} lists it. {@code refused}: why the installer will not write to
 * it at all (the disk Polydesk runs from, mounted, read-only, too small); {@code erases}: what
 * would be lost, which only {@code force} allows. A disk with both lists empty is a candidate.
 */
public record InstallDisk(String path, String model, long sizeBytes, List<String> partitions,
                          List<String> refused, List<String> erases) {
    public InstallDisk {
        partitions = List.copyOf(partitions);
        refused = List.copyOf(refused);
        erases = List.copyOf(erases);
    }
}
