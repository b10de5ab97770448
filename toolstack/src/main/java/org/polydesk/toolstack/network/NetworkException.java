package org.polydesk.toolstack.network;

/** A network could not be made, changed or taken down; the message says which step and why. */
public final class NetworkException extends Exception {
    public NetworkException(String message) {
        super(message);
    }

    public NetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
