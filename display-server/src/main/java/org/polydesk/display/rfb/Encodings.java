package org.polydesk.display.rfb;

import java.util.List;

/** RFB encoding numbers this client knows (RFC 6143 §7.7, §7.8 and the community registry). */
public final class Encodings {
    public static final int RAW = 0;
    public static final int COPY_RECT = 1;
    public static final int ZRLE = 16;
    /** Pseudo-encoding: the frame buffer changed size. */
    public static final int DESKTOP_SIZE = -223;
    /** Pseudo-encoding: the pointer image and hotspot. */
    public static final int CURSOR = -239;
    /** Pseudo-encoding: QEMU accepts its extended key event (keysym plus scancode). */
    public static final int QEMU_EXTENDED_KEY_EVENT = -258;
    /** Pseudo-encoding: size change with a reason, a status and the screen layout. */
    public static final int EXTENDED_DESKTOP_SIZE = -308;

    /**
     * What a source asks for, most preferred first: everything this client decodes. With Cursor
     * a server sends the pointer's image apart and leaves it out of the picture (Xvnc, QEMU with a
     * hardware cursor); the display server draws it where input-server says the pointer is. Where
     * input-server cannot say (a VM with a relative mouse) nothing is lost: QEMU draws no hardware
     * cursor into the picture with or without Cursor, and a software cursor is in the guest's own
     * pixels; the control UI's Xvnc always gets absolute input.
     */
    public static final List<Integer> DEFAULT = List.of(ZRLE, COPY_RECT, RAW, DESKTOP_SIZE,
            EXTENDED_DESKTOP_SIZE, CURSOR, QEMU_EXTENDED_KEY_EVENT);

    /** Raw and the pseudo-encodings of {@link #DEFAULT}: no compression. */
    public static List<Integer> rawOnly() {
        return List.of(RAW, DESKTOP_SIZE, EXTENDED_DESKTOP_SIZE, CURSOR, QEMU_EXTENDED_KEY_EVENT);
    }

    public static String name(int encoding) {
        return switch (encoding) {
            case RAW -> "Raw";
            case COPY_RECT -> "CopyRect";
            case 2 -> "RRE";
            case 5 -> "Hextile";
            case 6 -> "Zlib";
            case 7 -> "Tight";
            case ZRLE -> "ZRLE";
            case DESKTOP_SIZE -> "DesktopSize";
            case CURSOR -> "Cursor";
            case QEMU_EXTENDED_KEY_EVENT -> "QEMU ExtendedKeyEvent";
            case EXTENDED_DESKTOP_SIZE -> "ExtendedDesktopSize";
            default -> "unknown";
        };
    }

    private Encodings() {
    }
}
