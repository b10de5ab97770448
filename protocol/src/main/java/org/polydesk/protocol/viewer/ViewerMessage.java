package org.polydesk.protocol.viewer;

import java.util.List;

/** The messages of the {@link ViewerChannel}. */
public sealed interface ViewerMessage {

    /**
     * Guest → dom0: the viewer's screen, the scale its OS draws at there (1, 1.25, 1.5 or 2: the
     * indicator and labels dom0 draws follow it) and the frame region it offers.
     */
    record Hello(int width, int height, double scale, Region region) implements ViewerMessage {
        /** At 1x. */
        public Hello(int width, int height, Region region) {
            this(width, height, 1, region);
        }
    }

    /** dom0 → guest: show the frames full-screen (a VM other than the passthrough VM has focus). */
    record Show() implements ViewerMessage {
    }

    /** dom0 → guest: get out of the way (the passthrough VM itself has focus). */
    record Hide() implements ViewerMessage {
    }

    /** dom0 → guest: frame {@code serial} is in buffer {@code buffer}; what changed since the last. */
    record Frame(long serial, int buffer, List<DamageRect> damage) implements ViewerMessage {
        public Frame {
            damage = List.copyOf(damage);
        }
    }

    /**
     * dom0 → guest: the focused VM's pointer. {@code argb} (width × height, alpha 0 or 0xFF) is
     * null when the shape is unchanged since the last CURSOR; a hidden pointer has visible false.
     */
    record Cursor(boolean visible, int x, int y, int hotX, int hotY, int width, int height, int[] argb)
            implements ViewerMessage {
    }

    /** Where the frame region lives. */
    sealed interface Region {
    }

    /** A file of {@code size} bytes in dom0's /dev/shm: the viewer runs on the same host (development, tests). */
    record SharedFile(String name, long size) implements Region {
    }

    /** Pages the guest {@code domid} granted to dom0 with gntalloc, in order. */
    record XenGrants(int domid, int[] refs) implements Region {
    }

    /**
     * The memory behind BAR 2 of the VM's ivshmem device (a passthrough VM on the QEMU backend),
     * whose first {@code size} bytes hold the region. The guest cannot name dom0's end: dom0 maps
     * the file it gave that VM's QEMU, and nothing else.
     */
    record Ivshmem(long size) implements Region {
    }
}
