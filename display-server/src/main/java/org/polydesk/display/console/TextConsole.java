package org.polydesk.display.console;

import java.io.IOException;

/**
 * dom0's text console on the screen the display server draws on: shown while the focus is on
 * {@link org.polydesk.protocol.focus.FocusBus#CONSOLE} (the administrator's login), hidden again
 * when it leaves. Called on the compositor's thread, between frames, so the two never draw at once.
 */
public interface TextConsole {
    /** The kernel's console draws on the screen from now on (and draws it whole). */
    void show() throws IOException;

    /** The kernel's console stops drawing; the display server draws the whole screen next. */
    void hide() throws IOException;

    /** For logs. */
    String describe();
}
