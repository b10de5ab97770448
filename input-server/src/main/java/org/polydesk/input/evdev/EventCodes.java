package org.polydesk.input.evdev;

/**
 * The numbers of Linux's input-event-codes.h that the input server reads or writes. Keys and mouse
 * buttons are both {@link #EV_KEY} codes; buttons start at {@link #BTN_MISC}.
 */
public final class EventCodes {
    public static final int EV_SYN = 0x00;
    public static final int EV_KEY = 0x01;
    public static final int EV_REL = 0x02;
    public static final int EV_ABS = 0x03;
    public static final int EV_MSC = 0x04;
    public static final int EV_LED = 0x11;
    public static final int EV_REP = 0x14;
    public static final int EV_MAX = 0x1f;

    public static final int SYN_REPORT = 0;
    public static final int SYN_DROPPED = 3;

    /** Values of an EV_KEY event. */
    public static final int KEY_RELEASE = 0;
    public static final int KEY_PRESS = 1;
    public static final int KEY_REPEAT = 2;

    public static final int KEY_ESC = 1;
    public static final int KEY_1 = 2;
    public static final int KEY_Q = 16;
    public static final int KEY_ENTER = 28;
    public static final int KEY_LEFTCTRL = 29;
    public static final int KEY_A = 30;
    public static final int KEY_LEFTSHIFT = 42;
    public static final int KEY_Z = 44;
    public static final int KEY_RIGHTSHIFT = 54;
    public static final int KEY_LEFTALT = 56;
    public static final int KEY_SPACE = 57;
    public static final int KEY_CAPSLOCK = 58;
    public static final int KEY_F1 = 59;
    public static final int KEY_F10 = 68;
    public static final int KEY_NUMLOCK = 69;
    public static final int KEY_SCROLLLOCK = 70;
    public static final int KEY_F11 = 87;
    public static final int KEY_F12 = 88;
    public static final int KEY_RIGHTCTRL = 97;
    public static final int KEY_RIGHTALT = 100;
    public static final int KEY_HOME = 102;
    public static final int KEY_LEFT = 105;
    public static final int KEY_RIGHT = 106;
    public static final int KEY_LEFTMETA = 125;
    public static final int KEY_RIGHTMETA = 126;
    public static final int KEY_MAX = 0x2ff;

    public static final int BTN_MISC = 0x100;
    public static final int BTN_LEFT = 0x110;
    public static final int BTN_RIGHT = 0x111;
    public static final int BTN_MIDDLE = 0x112;
    public static final int BTN_SIDE = 0x113;
    public static final int BTN_EXTRA = 0x114;
    public static final int BTN_TOOL_PEN = 0x140;
    public static final int BTN_TOOL_FINGER = 0x145;
    public static final int BTN_TOUCH = 0x14a;
    public static final int KEY_OK = 0x160;

    public static final int REL_X = 0x00;
    public static final int REL_Y = 0x01;
    public static final int REL_HWHEEL = 0x06;
    public static final int REL_WHEEL = 0x08;
    public static final int REL_WHEEL_HI_RES = 0x0b;
    public static final int REL_HWHEEL_HI_RES = 0x0c;
    public static final int REL_MAX = 0x0f;

    public static final int ABS_X = 0x00;
    public static final int ABS_Y = 0x01;
    public static final int ABS_MAX = 0x3f;

    public static final int LED_NUML = 0x00;
    public static final int LED_CAPSL = 0x01;
    public static final int LED_SCROLLL = 0x02;
    public static final int LED_MAX = 0x0f;

    public static final int INPUT_PROP_POINTER = 0x00;
    public static final int INPUT_PROP_DIRECT = 0x01;
    public static final int INPUT_PROP_MAX = 0x1f;

    private EventCodes() {
    }

    /** Mouse, tablet and other buttons (not keyboard keys): codes from BTN_MISC up to KEY_OK. */
    public static boolean isButton(int code) {
        return code >= BTN_MISC && code < KEY_OK;
    }

    public static boolean isLockKey(int code) {
        return code == KEY_CAPSLOCK || code == KEY_NUMLOCK || code == KEY_SCROLLLOCK;
    }
}
