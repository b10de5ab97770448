package org.polydesk.display.gnttab;

import java.nio.ByteBuffer;

/** Granted pages mapped into dom0. Nothing may touch {@link #memory} once it is closed. */
public interface GrantMapping extends AutoCloseable {
    /** The pages, in the order of their refs. */
    ByteBuffer memory();

    /** Unmaps the pages (the granting domain may then free them). */
    @Override
    void close();
}
