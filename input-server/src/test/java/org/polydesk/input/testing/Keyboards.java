package org.polydesk.input.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.polydesk.input.evdev.Capabilities;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.EventReader;
import org.polydesk.input.evdev.InputListener;

/** Fake devices for the router: capabilities of a real keyboard, mouse or tablet, and their LEDs. */
public final class Keyboards {
    private Keyboards() {
    }

    /** The LED states a keyboard was set to, as "NCS" strings ("-C-" is Caps Lock only). */
    public static final class LedLog implements InputListener.Leds {
        public final List<String> states = new ArrayList<>();

        @Override
        public void set(boolean num, boolean caps, boolean scroll) {
            states.add((num ? "N" : "-") + (caps ? "C" : "-") + (scroll ? "S" : "-"));
        }

        public String last() {
            return states.isEmpty() ? "---" : states.get(states.size() - 1);
        }
    }

    public static Capabilities keyboard(String name) {
        BitSet types = bits(EventCodes.EV_SYN, EventCodes.EV_KEY, EventCodes.EV_MSC, EventCodes.EV_LED, EventCodes.EV_REP);
        BitSet keys = new BitSet();
        keys.set(1, 128);
        BitSet leds = bits(EventCodes.LED_NUML, EventCodes.LED_CAPSL, EventCodes.LED_SCROLLL);
        return new Capabilities(name, types, keys, new BitSet(), new BitSet(), leds, new BitSet(), null, null);
    }

    public static Capabilities mouse(String name) {
        BitSet types = bits(EventCodes.EV_SYN, EventCodes.EV_KEY, EventCodes.EV_REL);
        BitSet keys = bits(EventCodes.BTN_LEFT, EventCodes.BTN_RIGHT, EventCodes.BTN_MIDDLE);
        BitSet rels = bits(EventCodes.REL_X, EventCodes.REL_Y, EventCodes.REL_WHEEL);
        return new Capabilities(name, types, keys, rels, new BitSet(), new BitSet(), new BitSet(), null, null);
    }

    public static Capabilities tablet(String name) {
        BitSet types = bits(EventCodes.EV_SYN, EventCodes.EV_KEY, EventCodes.EV_ABS);
        BitSet keys = bits(EventCodes.BTN_LEFT, EventCodes.BTN_RIGHT);
        BitSet abs = bits(EventCodes.ABS_X, EventCodes.ABS_Y);
        return new Capabilities(name, types, keys, new BitSet(), abs, new BitSet(), new BitSet(),
                new Capabilities.AbsRange(0, 32767), new Capabilities.AbsRange(0, 32767));
    }

    public static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }

    /** Plays a recording into the listener as device {@code id}, through the real stream reader. */
    public static void play(InputListener l, int id, Recording r) {
        try {
            int rest = new EventReader(new ByteArrayInputStream(r.bytes())).pump(e -> l.event(id, e));
            if (rest != 0) {
                throw new AssertionError("recording ended inside a record");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
