package org.polydesk.display.window;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes what the development window receives as Linux {@code struct input_event} records (24
 * bytes: time, type, code, value; then a SYN_REPORT), the format input-server reads from a device
 * or, with {@code --events FILE}, from a pipe. So the window is an input source like a keyboard.
 */
public final class InputRecords {
    static final int EV_SYN = 0;
    static final int EV_KEY = 1;
    static final int EV_REL = 2;
    static final int REL_X = 0;
    static final int REL_Y = 1;
    static final int REL_WHEEL = 8;
    static final int BTN_LEFT = 0x110;
    static final int BTN_RIGHT = 0x111;
    static final int BTN_MIDDLE = 0x112;

    private final OutputStream out;
    private final ByteBuffer frame = ByteBuffer.allocate(24 * 4).order(ByteOrder.nativeOrder());

    public InputRecords(OutputStream out) {
        this.out = out;
    }

    /** A key or button press (1), release (0) or auto-repeat (2). */
    public synchronized void key(int code, int value) throws IOException {
        frame.clear();
        record(EV_KEY, code, value);
        sync();
    }

    /** Relative pointer motion and wheel clicks. */
    public synchronized void motion(int dx, int dy, int wheel) throws IOException {
        frame.clear();
        if (dx != 0) {
            record(EV_REL, REL_X, dx);
        }
        if (dy != 0) {
            record(EV_REL, REL_Y, dy);
        }
        if (wheel != 0) {
            record(EV_REL, REL_WHEEL, wheel);
        }
        if (frame.position() > 0) {
            sync();
        }
    }

    private void record(int type, int code, int value) {
        long micros = System.currentTimeMillis() * 1000;
        frame.putLong(micros / 1_000_000).putLong(micros % 1_000_000).putShort((short) type)
                .putShort((short) code).putInt(value);
    }

    private void sync() throws IOException {
        record(EV_SYN, 0, 0);
        out.write(frame.array(), 0, frame.position());
        out.flush();
    }
}
