package org.polydesk.protocol.focus;

import java.nio.file.Path;
import org.polydesk.protocol.rpc.RpcApi;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.rpc.RpcNotification;
import org.polydesk.protocol.paths.Paths;

import static org.polydesk.protocol.rpc.ErrorCode.NOT_FOUND;
import static org.polydesk.protocol.rpc.ErrorCode.STORE_FAILED;

/**
 * The focus bus, served by input-server on {@link #SOCKET} (the toolstack's framing), declared
 * once. {@link #SET} moves the focus and answers the resulting {@link FocusChanged}; {@link #GET}
 * answers the current one; {@link #SUBSCRIBE} answers the current one (cause {@code initial}) and
 * then sends every change as {@link #CHANGED}, and the focused slot's pointer as
 * {@link #POINTER_MOVED} while its input is absolute: at most one per {@link #POINTER_MILLIS} per
 * subscriber, the newest place winning, so a slow subscriber costs the input path nothing. A
 * subscriber keeps the newest place with its slot and uses it only while that slot has the focus:
 * no event says "unknown" when the focus moves to a slot with a relative mouse.
 * {@link #HEADS_SET} tells it the display server's monitors: each then shows a slot of its own, a
 * chord changes the one under the pointer, and the pointer crossing onto another moves the keyboard
 * to that one's slot (see {@link FocusChanged#heads}).
 * {@link #CONFIG_GET} and {@link #CONFIG_SET} read and replace the input settings (chords, pointer
 * mode): input-server stores them in its settings file and its router uses them from the next key.
 * polydeskd's own {@code focus.set}, {@code input.config.get} and {@code input.config.set} forward here.
 */
public final class FocusBus {
    public static final Path SOCKET = Paths.RUN_DIR.resolve("input.sock");
    /** The shortest time between two {@link #POINTER_MOVED} to one subscriber: one frame at 60 Hz. */
    public static final int POINTER_MILLIS = 16;

    /** Slot 0 is the control UI; VMs take slots 1 to 9. */
    public static final int UI_SLOT = 0;
    public static final int MAX_SLOT = 9;
    /**
     * Not a slot: dom0's text console, where the administrator logs in (the console chord). While it
     * has the focus the display server hands the screen to the kernel's console and the input server
     * types into it; no VM and no pointer. Only where the appliance has a console (a framebuffer and
     * /dev/uinput).
     */
    public static final int CONSOLE = 10;

    private FocusBus() {
    }

    /** Params of {@link #SET}: the slot to focus (0 for the control UI). */
    public record SlotRef(Integer slot) {
        public static final String SLOT = "slot";
    }

    public static final RpcMethod<SlotRef, FocusChanged> SET = RpcMethod.of("focus.set", SlotRef.class, FocusChanged.class,
            "Moves the focus to a slot (0: the control UI).", NOT_FOUND);
    public static final RpcMethod<Void, FocusChanged> GET = RpcMethod.of("focus.get", Void.class, FocusChanged.class,
            "Where the focus is now.");
    public static final RpcMethod<Void, FocusChanged> SUBSCRIBE = RpcMethod.of("focus.subscribe", Void.class,
            FocusChanged.class, "Where the focus is now (cause initial), then focus.changed and pointer.moved"
                    + " notifications on this connection.");

    public static final RpcMethod<Void, InputSettings> CONFIG_GET = RpcMethod.of("input.config.get", Void.class,
            InputSettings.class, "The switching chords and the pointer mode in use.");
    public static final RpcMethod<InputSettings, InputSettings> CONFIG_SET = RpcMethod.of("input.config.set",
            InputSettings.class, InputSettings.class, "Replaces the chords and the pointer mode: checked (every"
                    + " problem in error.data), stored, then used from the next key; answers them as stored.",
            STORE_FAILED);

    public static final RpcMethod<HeadLayout, FocusChanged> HEADS_SET = RpcMethod.of("heads.set", HeadLayout.class,
            FocusChanged.class, "The monitors the display server drives, in the desktop's layout (sent again whenever"
                    + " one comes or goes): the pointer moves across them and each shows its own slot; a vanished"
                    + " monitor's slot moves to the first one left. Answers the focus with what each monitor shows.");

    public static final RpcNotification<FocusChanged> CHANGED = RpcNotification.of("focus.changed", FocusChanged.class,
            "The focus moved (after focus.subscribe), in seq order.");
    public static final RpcNotification<PointerMoved> POINTER_MOVED = RpcNotification.of("pointer.moved",
            PointerMoved.class, "Where the focused slot's absolute pointer is, at most one per 16 ms, newest wins.");

    /** The whole API, for the registry test and the generated map. */
    public static final RpcApi API = RpcApi.declaredIn(FocusBus.class, "Focus bus", "polydesk-input", SOCKET,
            "Who has the focus; the pointer's place; the input settings.");

    public static boolean isSlot(int slot) {
        return slot >= UI_SLOT && slot <= MAX_SLOT;
    }
}
