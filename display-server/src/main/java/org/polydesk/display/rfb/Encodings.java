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

    /** The pseudo-encodings every Polydesk source asks for. */
    public static final List<Integer> PSEUDO = List.of(DESKTOP_SIZE, EXTENDED_DESKTOP_SIZE, CURSOR,
            QEMU_EXTENDED_KEY_EVENT);

    /** What a source asks for by default, most preferred first. */
    public static final List<Integer> DEFAULT = List.of(ZRLE, COPY_RECT, RAW, DESKTOP_SIZE,
            EXTENDED_DESKTOP_SIZE, CURSOR, QEMU_EXTENDED_KEY_EVENT);

    /** Raw and the pseudo-encodings: no compression. */
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
