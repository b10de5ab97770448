package org.polydesk.ui.client;

import org.polydesk.protocol.rpc.ErrorCode;

/**
 * A request to polydeskd that did not succeed: either polydeskd answered with an error (a stable
 * {@link ErrorCode} and its message for people), or it could not be reached at all.
 */
public final class ToolstackException extends Exception {
    private final String method;
    private final Integer code;

    private ToolstackException(String method, Integer code, String message, Throwable cause) {
        super(message, cause);
        this.method = method;
        this.code = code;
    }

    /** polydeskd answered {@code method} with an error. */
    public static ToolstackException refused(String method, int code, String message) {
        return new ToolstackException(method, code, message, null);
    }

    /** polydeskd could not be reached, or the connection broke during {@code method}. */
    public static ToolstackException unreachable(String method, String message, Throwable cause) {
        return new ToolstackException(method, null, message, cause);
    }

    public String method() {
        return method;
    }

    /** The error code, or null when polydeskd was not reached. */
    public ErrorCode errorCode() {
        return code == null ? null : ErrorCode.of(code);
    }

    public boolean isUnreachable() {
        return code == null;
    }

    /** polydeskd does not have this method (yet). */
    public boolean isMethodMissing() {
        return errorCode() == ErrorCode.METHOD_NOT_FOUND;
    }

    /** One sentence for a person: what failed and why. */
    public String describe() {
        if (isUnreachable()) {
            return "polydeskd is not reachable: " + getMessage();
        }
        if (isMethodMissing()) {
            return "not available yet: polydeskd has no method " + method;
        }
        return getMessage();
    }
}
