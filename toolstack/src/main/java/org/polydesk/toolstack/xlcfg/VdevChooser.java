package org.polydesk.toolstack.xlcfg;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.GuestType;

/**
 * Names the guest devices of disks that have no vdev, skipping names other disks already use:
 * hda, hdb, ... for HVM guests (emulated IDE, so at most hdd) and xvda, xvdb, ... for PV and PVH.
 */
final class VdevChooser {
    /** QEMU emulates one IDE controller: two buses with two devices each. */
    private static final int IDE_DEVICES = 4;

    private VdevChooser() {
    }

    /** The vdev of each disk, in order: its own, or the next free one. */
    static List<String> choose(List<Disk> disks, GuestType type) {
        Set<String> taken = new HashSet<>();
        disks.stream().map(Disk::vdev).filter(Objects::nonNull).forEach(taken::add);
        List<String> vdevs = new ArrayList<>();
        int nextHd = 0;
        int nextXvd = 0;
        for (Disk disk : disks) {
            if (disk.vdev() != null) {
                vdevs.add(disk.vdev());
                continue;
            }
            // An HVM guest's virtio disk is Xen's PV disk alone, xvdX; its other disks are emulated, hdX.
            boolean emulated = type == GuestType.HVM && (disk.cdrom() || disk.bus() != DiskBus.VIRTIO);
            String name;
            do {
                if (emulated && nextHd >= IDE_DEVICES) {
                    throw new IllegalArgumentException("an HVM guest has four IDE devices (hda to hdd) to give out;"
                            + " give disk " + disk.path() + " a vdev such as xvde");
                }
                name = emulated ? "hd" + letters(nextHd++) : "xvd" + letters(nextXvd++);
            } while (taken.contains(name));
            taken.add(name);
            vdevs.add(name);
        }
        return vdevs;
    }

    /** 0 → a, 25 → z, 26 → aa: the way Linux names disks beyond the 26th. */
    private static String letters(int index) {
        String tail = String.valueOf((char) ('a' + index % 26));
        return index < 26 ? tail : letters(index / 26 - 1) + tail;
    }
}
