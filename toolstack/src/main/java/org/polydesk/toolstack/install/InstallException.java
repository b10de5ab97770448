package org.polydesk.toolstack.install;

/** The installer stops: the message says what went wrong and, where it can, what to do. */
public class InstallException extends Exception {
    public InstallException(String message) {
        super(message);
    }

    public InstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
