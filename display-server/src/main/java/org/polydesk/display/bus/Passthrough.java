package org.polydesk.display.bus;

import java.nio.file.Path;

/** Told when a VM that owns a GPU by passthrough (it has a viewer channel) starts and stops. */
public interface Passthrough {
    /**
     * The VM in {@code slot} runs and owns the monitor; its viewer listens on {@code viewerChannel}.
     * {@code domid} is its Xen domain (null on a backend without Xen): only that domain's grants
     * may hold the viewer's region.
     */
    void passthroughStarted(int slot, Path viewerChannel, Integer domid);

    /** The VM in {@code slot} no longer runs: the monitor is dom0's again. */
    void passthroughStopped(int slot);
}
