package org.polydesk.ui.client;

/** The state of the UI's connection to polydeskd, as the event stream sees it. */
public record Link(State state, String detail) {
    public enum State { CONNECTING, CONNECTED, DISCONNECTED }

    public boolean isUp() {
        return state == State.CONNECTED;
    }
}
