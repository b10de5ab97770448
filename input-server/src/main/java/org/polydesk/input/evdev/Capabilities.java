package org.polydesk.input.evdev;

import java.util.BitSet;

/**
 * What a device says it can send, from its EVIOCGBIT bitmaps and EVIOCGPROP properties, and the
 * decision of what kind of device that makes it. Plain data, so the decision is tested without a
 * device; {@link EvdevDevice} fills it in from the kernel.
 */
public record Capabilities(String name, BitSet types, BitSet keys, BitSet rels, BitSet abs, BitSet leds, BitSet props,
                           AbsRange x, AbsRange y) {

    /** The range of an absolute axis (EVIOCGABS). */
    public record AbsRange(int min, int max) {
        public double fraction(int value) {
            if (max <= min) {
                return 0;
            }
            return Math.max(0, Math.min(1, (value - min) / (double) (max - min)));
        }
    }

    public DeviceKind kind() {
        if (types.get(EventCodes.EV_REL) && rels.get(EventCodes.REL_X) && rels.get(EventCodes.REL_Y)
                && keys.get(EventCodes.BTN_LEFT)) {
            return DeviceKind.MOUSE;
        }
        if (types.get(EventCodes.EV_ABS) && abs.get(EventCodes.ABS_X) && abs.get(EventCodes.ABS_Y)
                && (keys.get(EventCodes.BTN_TOUCH) || keys.get(EventCodes.BTN_LEFT) || keys.get(EventCodes.BTN_TOOL_PEN))
                && x != null && y != null && x.max() > x.min() && y.max() > y.min()) {
            return DeviceKind.ABSOLUTE;
        }
        if (types.get(EventCodes.EV_KEY) && isKeyboard()) {
            return DeviceKind.KEYBOARD;
        }
        return DeviceKind.OTHER;
    }

    /** A touchpad reports absolute finger positions but moves the pointer relatively. */
    public boolean isTouchpad() {
        return keys.get(EventCodes.BTN_TOOL_FINGER) && !props.get(EventCodes.INPUT_PROP_DIRECT);
    }

    /** Has most of the letter keys: a power button or a headset's volume keys are not keyboards. */
    private boolean isKeyboard() {
        int letters = 0;
        for (int code = EventCodes.KEY_Q; code <= EventCodes.KEY_Z + 6; code++) {
            if (keys.get(code)) {
                letters++;
            }
        }
        return letters >= 20 && keys.get(EventCodes.KEY_ENTER) && keys.get(EventCodes.KEY_SPACE);
    }

    /** A keyboard and mouse fed from a stream: everything a test or a recorded session sends. */
    public static Capabilities everything(String name) {
        BitSet all = new BitSet();
        all.set(0, EventCodes.KEY_MAX + 1);
        BitSet none = new BitSet();
        return new Capabilities(name, all, all, all, none, all, none, null, null);
    }
}
