package org.polydesk.input.sink;

import java.util.logging.Logger;
import org.polydesk.input.linux.UinputKeyboard;

/**
 * dom0's text console as a place for input: keys go to a uinput keyboard, from which the kernel
 * types into the active virtual terminal (the login there is the administrator's way in on the
 * machine itself). The router keeps the chords, so switching back never reaches the console. The
 * console has no pointer: buttons, motion and the wheel are dropped.
 */
public final class ConsoleSink implements InputSink {
    private static final Logger LOG = Logger.getLogger(ConsoleSink.class.getName());
    private final UinputKeyboard keyboard;
    private boolean failed;

    public ConsoleSink(UinputKeyboard keyboard) {
        this.keyboard = keyboard;
    }

    @Override
    public void key(int code, boolean down) {
        keyboard.key(code, down ? 1 : 0);
    }

    @Override
    public void button(int code, boolean down) {
    }

    @Override
    public void motion(int dx, int dy, double x, double y) {
    }

    @Override
    public boolean absolute() {
        return false;
    }

    @Override
    public void wheel(int vertical, int horizontal) {
    }

    @Override
    public void flush() {
        try {
            keyboard.flush();
            failed = false;
        } catch (IllegalStateException e) {
            if (!failed) {
                LOG.warning("the text console's keyboard: " + e.getMessage());
            }
            failed = true;
        }
    }

    @Override
    public String describe() {
        return "dom0's text console (uinput '" + UinputKeyboard.NAME + "')";
    }

    @Override
    public void close() {
        keyboard.close();
    }
}
