package org.polydesk.input.evdev;

/** What an evdev device is to the input server; only the first three are opened and grabbed. */
public enum DeviceKind {
    KEYBOARD,
    /** Relative motion: a mouse, a trackball, a trackpoint. */
    MOUSE,
    /** Absolute motion: a tablet, a touch screen, a touchpad (the router turns a touchpad's motion into deltas). */
    ABSOLUTE,
    /** Anything else (power button, lid switch, sound card jacks, accelerometer): left to the host. */
    OTHER
}
