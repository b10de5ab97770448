package org.polydesk.display.bus;

import java.nio.file.Path;

/**
 * A running VM that owns a GPU by passthrough, as polydeskd reports it (never as its viewer says):
 * its {@code slot}, the dom0 end of its viewer channel, its Xen domain (null on a backend without
 * Xen: no grants may hold the viewer's region) and the file behind its ivshmem BAR (null: it has
 * none; on the QEMU backend the viewer lays out its region there), and the PCI address of the GPU
 * it owns (its definition's {@code gpu}; null when not known).
 */
public record PassthroughVm(int slot, Path viewerChannel, Integer domid, Path ivshmemFile, String gpu) {
}
