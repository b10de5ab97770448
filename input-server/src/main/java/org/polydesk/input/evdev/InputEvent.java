package org.polydesk.input.evdev;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One Linux {@code struct input_event} as a 64-bit kernel writes it: 24 bytes, little-endian
 * ({@code struct timeval} of two longs, then type and code as u16 and value as s32).
 */
public record InputEvent(long seconds, long micros, int type, int code, int value) {
    public static final int SIZE = 24;

    public static InputEvent of(int type, int code, int value) {
        return new InputEvent(0, 0, type, code, value);
    }

    public static InputEvent syn() {
        return of(EventCodes.EV_SYN, EventCodes.SYN_REPORT, 0);
    }

    public static InputEvent key(int code, int value) {
        return of(EventCodes.EV_KEY, code, value);
    }

    /** Reads one event at the buffer's position (which must be little-endian) and advances it. */
    public static InputEvent read(ByteBuffer b) {
        long sec = b.getLong();
        long usec = b.getLong();
        int type = Short.toUnsignedInt(b.getShort());
        int code = Short.toUnsignedInt(b.getShort());
        int value = b.getInt();
        return new InputEvent(sec, usec, type, code, value);
    }

    public void write(ByteBuffer b) {
        b.putLong(seconds).putLong(micros).putShort((short) type).putShort((short) code).putInt(value);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        write(b);
        return b.array();
    }

    public boolean isSynReport() {
        return type == EventCodes.EV_SYN && code == EventCodes.SYN_REPORT;
    }

    @Override
    public String toString() {
        return "ev(" + type + "," + code + "," + value + ")";
    }
}
