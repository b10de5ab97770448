package org.polydesk.display.rfb;

import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.FrameBuffer;

/**
 * What a connection reports, on its decoder thread. While a method runs the decoder writes nothing,
 * so {@link #frameUpdated} sees a whole frame; keep the methods short, the next frame waits. An
 * exception thrown here ends {@link RfbConnection#run()} with it ({@code RfbSource} guards against that).
 */
public interface RfbListener {

    /** A FramebufferUpdate was applied; its rectangles are in the frame buffer's damage. */
    default void frameUpdated(FrameBuffer frameBuffer) {
    }

    default void cursorChanged(CursorShape cursor) {
    }

    /** The server refused our SetDesktopSize ({@code status}, and what it means): it keeps its size. */
    default void desktopSizeRefused(int status, String meaning) {
    }

    default void bell() {
    }

    /** The server's clipboard, Latin-1 as RFB defines it, at most the configured length. */
    default void cutText(String text) {
    }
}
