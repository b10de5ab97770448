package org.polydesk.display.compose;

import org.polydesk.display.framebuffer.FrameBuffer;

/** What the focused slot shows: a live frame buffer, or the "display not available" screen. */
public sealed interface Content {
    VmLabel label();

    record Live(VmLabel label, FrameBuffer frameBuffer) implements Content {
    }

    /** The VM's display is gone or not there yet; {@code reason} is shown under the name. */
    record Unavailable(VmLabel label, String reason) implements Content {
    }
}
