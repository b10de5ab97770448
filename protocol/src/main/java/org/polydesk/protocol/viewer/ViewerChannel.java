package org.polydesk.protocol.viewer;

/**
 * The viewer channel, version 2 (HELLO carries the viewer's scale since version 2): dom0's display server and the switcher viewer inside the
 * passthrough VM, over that VM's second serial port (dom0: {@code viewer.sock}, guest:
 * {@code /dev/ttyS1}). Every message is a 12-byte header, big-endian,
 *
 * <pre>
 *   u32 magic "PDVC" | u16 version | u16 type | u32 payload length
 * </pre>
 *
 * followed by the payload ({@link ViewerCodec} has each one's layout). The guest sends
 * {@link #HELLO}; dom0 sends {@link #SHOW}, {@link #HIDE}, {@link #FRAME} and {@link #CURSOR}.
 * dom0 answers every HELLO with SHOW or HIDE and repeats that state every
 * {@link #HEARTBEAT_MILLIS}, so a viewer that hears nothing for {@link #SILENCE_MILLIS} says HELLO
 * again (dom0 restarted). The pixels do not cross here but in the shared {@link FrameRegion}.
 *
 * <p>Everything the guest sends is untrusted: each limit below is checked before anything is
 * allocated, and the first violation closes the channel. A change of any layout here or in
 * {@link FrameRegion} is a new {@link #VERSION}.
 */
public final class ViewerChannel {
    public static final int MAGIC = 0x50445643; // "PDVC"
    public static final int VERSION = 2;
    public static final int HEADER_BYTES = 12;

    public static final int HELLO = 1;
    public static final int SHOW = 2;
    public static final int HIDE = 3;
    public static final int FRAME = 4;
    public static final int CURSOR = 5;

    /** The largest screen side either end accepts. */
    public static final int MAX_SCREEN_SIDE = 8192;
    /** Damage rectangles in one FRAME and in the region's header; more are sent as their bounding box. */
    public static final int MAX_DAMAGE = 16;
    public static final int MAX_CURSOR_SIDE = 64;
    public static final int MAX_SHM_NAME = 64;
    /** The scales a viewer may say it draws at, in quarters as HELLO carries them (1, 1.25, 1.5, 2). */
    public static final java.util.List<Integer> SCALE_QUARTERS = java.util.List.of(4, 5, 6, 8);
    /**
     * Enough pages for 8192×8192 buffers would be absurd; this covers the most buffers of 4K
     * frames, as the largest shared file dom0 maps.
     */
    public static final int MAX_GRANTS = FrameRegion.pagesFor(3840, 2160, FrameRegion.MAX_BUFFERS);

    public static final long HEARTBEAT_MILLIS = 2000;
    public static final long SILENCE_MILLIS = 5000;

    private ViewerChannel() {
    }

    public static String typeName(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case SHOW -> "SHOW";
            case HIDE -> "HIDE";
            case FRAME -> "FRAME";
            case CURSOR -> "CURSOR";
            default -> "type " + type;
        };
    }
}
