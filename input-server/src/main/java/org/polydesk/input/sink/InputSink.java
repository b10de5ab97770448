package org.polydesk.input.sink;

/**
 * Where the focused VM's input goes: a VM's QEMU (QMP) or the control UI's Xvnc (RFB). The router
 * calls these with Linux key and button codes for one evdev frame, then {@link #flush()}; an
 * implementation batches the frame and sends it without blocking the caller. A sink whose peer is
 * gone drops what it is given and says so in the log; it never throws at the router.
 */
public interface InputSink extends AutoCloseable {
    /** A keyboard key (a code of {@link org.polydesk.input.evdev.KeyTable}) went down (again, for auto-repeat) or up. */
    void key(int code, boolean down);

    /** A mouse button (BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA) went down or up. */
    void button(int code, boolean down);

    /**
     * The pointer moved: by {@code dx, dy} device units and to {@code x, y}, the pointer's place on
     * the screen as a fraction (0 to 1) of its width and height. A sink uses the form its VM has a
     * device for: relative motion for a PS/2 or USB mouse, absolute for a USB tablet or RFB.
     */
    void motion(int dx, int dy, double x, double y);

    /**
     * Whether the VM's pointer goes where {@link #motion}'s {@code x, y} say (a USB tablet, RFB),
     * so that place is the guest's pointer and may be published on the focus bus. A relative
     * mouse's guest moves its pointer by its own acceleration and edges: its place is unknown.
     */
    boolean absolute();

    /** Wheel clicks: {@code vertical} positive is up, {@code horizontal} positive is right. */
    void wheel(int vertical, int horizontal);

    /** Sends what the calls since the last flush describe, as one message where the protocol allows. */
    void flush();

    /** For logs: where this sink sends. */
    String describe();

    @Override
    void close();
}
