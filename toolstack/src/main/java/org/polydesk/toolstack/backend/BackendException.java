package org.polydesk.toolstack.backend;

/** The backend could not do what was asked; the message says why in a person's words. */
public class BackendException extends Exception {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
