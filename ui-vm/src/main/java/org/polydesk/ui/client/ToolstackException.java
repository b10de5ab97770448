package org.polydesk.ui.client;

import java.util.List;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcClient;

/**
 * A request to polydeskd that did not succeed: either polydeskd answered with an error (a stable
 * {@link ErrorCode} and its message for people), or it could not be reached at all.
 */
public final class ToolstackException extends Exception {
    private final String method;
    private final Integer code;
    private final List<Problem> problems;

    private ToolstackException(String method, Integer code, String message, List<Problem> problems, Throwable cause) {
        super(message, cause);
        this.method = method;
        this.code = code;
        this.problems = List.copyOf(problems);
    }

    /** polydeskd answered with an error: its code, message and problems (error.data) are kept. */
    public static ToolstackException refused(RpcClient.CallException e) {
        return new ToolstackException(e.method(), e.code(), e.getMessage(), e.problems(), null);
    }

    /** polydeskd could not be reached, or the connection broke during {@code method}. */
    public static ToolstackException unreachable(String method, String message, Throwable cause) {
        return new ToolstackException(method, null, message, List.of(), cause);
    }

    /** Each problem with the field it is about, from the error's data; empty when polydeskd sent none. */
    public List<Problem> problems() {
        return problems;
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

    /** One sentence for a person: what failed and why. */
    public String describe() {
        if (isUnreachable()) {
            return "polydeskd is not reachable: " + getMessage();
        }
        return getMessage();
    }
}
