package org.polydesk.display.compose;

import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.Rect;

/**
 * The focused VM's pointer as the output shows it: the guest's {@code shape} (never hidden) with
 * its hot spot at ({@code x}, {@code y}) of the composed frame. The shape is kept at the guest's
 * size when the guest is scaled, as a pointer is on any screen.
 */
public record Pointer(CursorShape shape, int x, int y) {

    /** Where the shape lies in the frame (it may reach past the frame's edges). */
    public Rect bounds() {
        return new Rect(x - shape.hotX(), y - shape.hotY(), shape.width(), shape.height());
    }
}
