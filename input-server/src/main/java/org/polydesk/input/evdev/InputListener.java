package org.polydesk.input.evdev;

/**
 * Where the devices' events go (the hotkey router). Calls for one device come from that device's
 * reader thread, in order; calls for different devices may come at once.
 */
public interface InputListener {
    /** Sets a keyboard's lock LEDs. */
    interface Leds {
        void set(boolean num, boolean caps, boolean scroll);
    }

    void deviceAdded(int device, Capabilities capabilities, Leds leds);

    void event(int device, InputEvent event);

    /** The device is gone (unplugged, its stream ended); anything it held down is to be let go. */
    void deviceRemoved(int device);
}
