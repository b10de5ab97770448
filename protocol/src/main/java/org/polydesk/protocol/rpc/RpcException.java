package org.polydesk.protocol.rpc;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request that fails with a stable code, a message for the person who made it and, for a
 * validation error, each {@link Problem} with the field it is about (sent as {@code error.data}).
 */
public class RpcException extends Exception {
    private final ErrorCode code;
    private final List<Problem> problems;

    public RpcException(ErrorCode code, String message) {
        this(code, message, List.of());
    }

    public RpcException(ErrorCode code, String message, List<Problem> problems) {
        super(message);
        this.code = code;
        this.problems = List.copyOf(problems);
    }

    /** A validation error: the message is every problem, joined, for readers that show only a message. */
    public static RpcException invalid(ErrorCode code, List<Problem> problems) {
        return new RpcException(code, problems.stream().map(Problem::problem).collect(Collectors.joining("; ")), problems);
    }

    /** A request whose one field is wrong. */
    public static RpcException invalidParam(String field, String problem) {
        return invalid(ErrorCode.INVALID_PARAMS, List.of(new Problem(field, problem)));
    }

    public ErrorCode code() {
        return code;
    }

    public List<Problem> problems() {
        return problems;
    }

    public RpcError toError() {
        return new RpcError(code.code(), getMessage(),
                problems.isEmpty() ? null : Json.mapper().valueToTree(problems));
    }
}
