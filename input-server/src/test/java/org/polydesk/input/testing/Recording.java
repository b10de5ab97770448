package org.polydesk.input.testing;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.InputEvent;
import org.polydesk.input.evdev.KeyTable;

/**
 * Builds an evdev event stream as a keyboard or mouse writes it: each key change in its own frame
 * with the MSC_SCAN the kernel adds, timestamps that advance, SYN_REPORT after each frame.
 */
public final class Recording {
    private final List<InputEvent> events = new ArrayList<>();
    private long micros = 1_000_000;

    private void add(int type, int code, int value) {
        micros += 8000;
        events.add(new InputEvent(micros / 1_000_000, micros % 1_000_000, type, code, value));
    }

    private Recording frame() {
        add(EventCodes.EV_SYN, EventCodes.SYN_REPORT, 0);
        return this;
    }

    public static int code(String key) {
        KeyTable.Key k = KeyTable.byName(key);
        if (k == null) {
            throw new IllegalArgumentException(key);
        }
        return k.code();
    }

    public Recording down(String... keys) {
        for (String k : keys) {
            add(EventCodes.EV_MSC, 4, 0x70000 + code(k));
            add(EventCodes.EV_KEY, code(k), 1);
            frame();
        }
        return this;
    }

    public Recording up(String... keys) {
        for (String k : keys) {
            add(EventCodes.EV_MSC, 4, 0x70000 + code(k));
            add(EventCodes.EV_KEY, code(k), 0);
            frame();
        }
        return this;
    }

    public Recording repeat(String key, int times) {
        for (int i = 0; i < times; i++) {
            add(EventCodes.EV_KEY, code(key), 2);
            frame();
        }
        return this;
    }

    /** Presses and releases each key in turn. */
    public Recording type(String... keys) {
        for (String k : keys) {
            down(k).up(k);
        }
        return this;
    }

    /** Presses the keys in order, releases them in reverse: a chord as fingers play it. */
    public Recording chord(String... keys) {
        down(keys);
        for (int i = keys.length - 1; i >= 0; i--) {
            up(keys[i]);
        }
        return this;
    }

    public Recording button(int code, boolean down) {
        add(EventCodes.EV_KEY, code, down ? 1 : 0);
        return frame();
    }

    public Recording rel(int dx, int dy) {
        if (dx != 0) {
            add(EventCodes.EV_REL, EventCodes.REL_X, dx);
        }
        if (dy != 0) {
            add(EventCodes.EV_REL, EventCodes.REL_Y, dy);
        }
        return frame();
    }

    public Recording wheel(int clicks) {
        add(EventCodes.EV_REL, EventCodes.REL_WHEEL, clicks);
        add(EventCodes.EV_REL, EventCodes.REL_WHEEL_HI_RES, clicks * 120);
        return frame();
    }

    public Recording abs(int x, int y) {
        add(EventCodes.EV_ABS, EventCodes.ABS_X, x);
        add(EventCodes.EV_ABS, EventCodes.ABS_Y, y);
        return frame();
    }

    public Recording raw(int type, int code, int value) {
        add(type, code, value);
        return this;
    }

    public List<InputEvent> events() {
        return List.copyOf(events);
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (InputEvent e : events) {
            out.writeBytes(e.toBytes());
        }
        return out.toByteArray();
    }
}
