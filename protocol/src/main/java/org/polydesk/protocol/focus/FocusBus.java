package org.polydesk.protocol.focus;

import java.nio.file.Path;
import org.polydesk.protocol.toolstack.Paths;

/**
 * The focus bus, served by input-server: JSON-RPC 2.0, one object per line (the toolstack's
 * framing) on {@link #SOCKET}. Requests: {@link #SET} {@code {"slot": n}} moves the focus and
 * answers the resulting {@link FocusChanged}; {@link #GET} answers the current one;
 * {@link #SUBSCRIBE} answers the current one and then sends every change as a {@link #CHANGED}
 * notification on that connection, and the focused slot's pointer as {@link #POINTER_MOVED}
 * (a {@link PointerMoved}) while its input is absolute: at most one per {@link #POINTER_MILLIS} per
 * subscriber, the newest place winning, so a slow subscriber costs the input path nothing. A
 * subscriber keeps the newest place with its slot and uses it only while that slot has the focus:
 * no event says "unknown" when the focus moves to a slot with a relative mouse.
 * polydeskd's own {@code focus.set} forwards here.
 */
public final class FocusBus {
    public static final Path SOCKET = Paths.RUN_DIR.resolve("input.sock");
    public static final String SET = "focus.set";
    public static final String GET = "focus.get";
    public static final String SUBSCRIBE = "focus.subscribe";
    /** The notification that carries a {@link FocusChanged}. */
    public static final String CHANGED = "focus.changed";
    /** The notification that carries a {@link PointerMoved}. */
    public static final String POINTER_MOVED = "pointer.moved";
    /** The shortest time between two {@link #POINTER_MOVED} to one subscriber: one frame at 60 Hz. */
    public static final int POINTER_MILLIS = 16;

    /** Slot 0 is the control UI; VMs take slots 1 to 9. */
    public static final int UI_SLOT = 0;
    public static final int MAX_SLOT = 9;

    private FocusBus() {
    }

    public static boolean isSlot(int slot) {
        return slot >= UI_SLOT && slot <= MAX_SLOT;
    }
}
