package org.polydesk.display.sink;

import java.io.IOException;
import java.util.List;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.Pointer;
import org.polydesk.display.framebuffer.Rect;

/**
 * Where composed frames go: the Linux framebuffer, a desktop window, PNG snapshots, the switcher
 * viewer in the passthrough VM. The compositor composes at the sink's size.
 */
public interface Sink extends AutoCloseable {

    /**
     * The monitors this sink drives, each a sink of its own, in their order (a KMS card's connectors);
     * asked again after {@link #frameOutdated} was true. Most sinks are one monitor: themselves.
     */
    default List<Sink> heads() {
        return List.of(this);
    }

    /** The monitor's name as the user knows it (its connector's, "HDMI-A-1"), or "screen". */
    default String name() {
        return "screen";
    }

    int width();

    int height();

    /**
     * The scale the monitor calls for (HiDPI, {@code OutputScale}): 1, 1.25, 1.5 or 2; 1 where the
     * sink does not know its monitor's size.
     */
    default double scale() {
        return 1;
    }

    /**
     * The PCI address of the GPU this screen is on ("0000:00:02.0"), or null where it is no GPU's
     * or not known: a passthrough VM with another GPU leaves it alone.
     */
    default String pciDevice() {
        return null;
    }

    /**
     * The frame the compositor draws into, made once. By default one on the heap that
     * {@link #present} copies from; a sink may hand out a frame in its own memory instead, which
     * saves that copy.
     */
    default Frame createFrame() {
        return new Frame(width(), height());
    }

    /**
     * Asked on the compositor's thread before each composition: true when the frame from
     * {@link #createFrame} must be made again because what is behind this sink changed (the
     * monitor changed hands). The old frame is not touched again, so its memory may go.
     */
    default boolean frameOutdated() {
        return false;
    }

    /**
     * Shows {@code damage} of {@code frame}; the frame is valid only during the call. A sink may
     * show it after the call returns ({@link #awaitDrawable}).
     */
    void present(Frame frame, List<Rect> damage) throws IOException;

    /**
     * Waits until the frame from {@link #createFrame} may be drawn into. A sink that flips between
     * two buffers returns once its last flip happened, since the buffer drawn into next was on the
     * screen until then (several monitors' flips thus wait for one vertical blank together, not
     * one each); others return at once. On the compositor's thread, before it draws.
     */
    default void awaitDrawable() throws IOException {
    }

    /**
     * The focused VM's pointer for the frames to come, in the frame's coordinates; null: none to
     * show (its place is unknown or the guest hid it). True when this sink shows it itself over
     * the frames (the switcher viewer, as an image of its own: a move costs no frame); false, the
     * default, has the compositor draw it into the frame. Called on the compositor's thread each
     * time it composes, so mostly with what it was told before; must not block.
     */
    default boolean showPointer(Pointer pointer) {
        return false;
    }

    /** The focus moved to {@code slot}; called on the caller's thread, must not block. */
    default void focused(int slot) {
    }

    /** {@code repaint} asks the server for a whole frame, e.g. when a new viewer attached and has nothing. */
    default void onRepaintNeeded(Runnable repaint) {
    }

    /**
     * dom0's text console is about to draw on the screen: let go of it (a KMS sink drops DRM
     * master). Frames presented until {@link #backFromConsole} need not show. On the compositor's thread.
     */
    default void yieldToConsole() {
    }

    /** The console left the screen: take it again; the next frame is composed whole. On the compositor's thread. */
    default void backFromConsole() {
    }

    /** A short description for logs: "framebuffer /dev/fb0 1280x800, 32 bpp". */
    String describe();

    @Override
    default void close() {
    }
}
