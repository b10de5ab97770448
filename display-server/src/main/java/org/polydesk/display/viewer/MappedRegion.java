package org.polydesk.display.viewer;

import org.polydesk.protocol.viewer.FrameRegion;

/**
 * A viewer's region as dom0 mapped it. Whoever holds it closes it once nothing writes into it
 * any more: for granted pages that unmaps them, and a later write would crash the server.
 */
final class MappedRegion implements AutoCloseable {
    private final FrameRegion frames;
    private final String description;
    private final Runnable unmap;
    private boolean closed;

    MappedRegion(FrameRegion frames, String description, Runnable unmap) {
        this.frames = frames;
        this.description = description;
        this.unmap = unmap;
    }

    FrameRegion frames() {
        return frames;
    }

    String description() {
        return description;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            unmap.run();
        }
    }
}
