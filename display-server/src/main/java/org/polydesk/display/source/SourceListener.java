package org.polydesk.display.source;

import java.io.IOException;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.rfb.ServerInfo;

/**
 * What an {@link RfbSource} reports, all on the source's own thread. An exception thrown here is
 * logged and does not affect the connection.
 */
public interface SourceListener {

    default void connected(RfbSource source, ServerInfo info) {
    }

    /** The connection ended ({@code reason} says why); the source keeps trying to reconnect. */
    default void disconnected(RfbSource source, IOException reason) {
    }

    /** A complete update is in the frame buffer; its rectangles are in the frame buffer's damage. */
    default void frameUpdated(RfbSource source) {
    }

    default void cursorChanged(RfbSource source, CursorShape cursor) {
    }
}
