package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.databind.JavaType;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The map of an {@link RpcApi} for people, written from its declarations: one markdown table of
 * methods (params, result, error codes, what it does) and one of notifications. The repository's
 * {@code docs/architecture.md} holds these tables, and a test keeps them equal to this output.
 */
public final class ApiDoc {
    private ApiDoc() {
    }

    public static String markdown(RpcApi api) {
        StringBuilder sb = new StringBuilder();
        sb.append("#### ").append(api.title()).append(" — `").append(api.server()).append("` on `")
                .append(api.socket()).append("`\n\n").append(api.doc()).append("\n\n");
        sb.append("| method | params | result | errors | what it does |\n|---|---|---|---|---|\n");
        for (RpcMethod<?, ?> m : api.methods()) {
            sb.append("| `").append(m.name()).append("` | ").append(fields(m.paramsType())).append(" | ")
                    .append(type(m.resultType())).append(" | ")
                    .append(m.errors().stream().map(e -> e.name() + " " + e.code()).collect(Collectors.joining(", ")))
                    .append(" | ").append(m.doc().replace("|", "\\|")).append(" |\n");
        }
        sb.append("\n| notification | carries | when |\n|---|---|---|\n");
        for (RpcNotification<?> n : api.notifications()) {
            sb.append("| `").append(n.name()).append("` | ").append(type(n.type())).append(" | ")
                    .append(n.doc().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    /** The error codes every method may answer besides its own. */
    public static String errorCodes() {
        StringBuilder sb = new StringBuilder("| code | name |\n|---|---|\n");
        for (ErrorCode c : ErrorCode.values()) {
            sb.append("| ").append(c.code()).append(" | ").append(c.name()).append(" |\n");
        }
        return sb.toString();
    }

    private static String fields(JavaType t) {
        if (t.hasRawClass(Void.class)) {
            return "—";
        }
        RecordComponent[] rc = t.getRawClass().getRecordComponents();
        if (rc == null) {
            return type(t);
        }
        return "`{" + Arrays.stream(rc).map(c -> c.getName() + ": " + c.getType().getSimpleName())
                .collect(Collectors.joining(", ")) + "}`";
    }

    private static String type(JavaType t) {
        if (t.hasRawClass(Void.class)) {
            return "null";
        }
        if (t.isCollectionLikeType()) {
            return "list of `" + t.getContentType().getRawClass().getSimpleName() + "`";
        }
        return "`" + t.getRawClass().getSimpleName() + "`";
    }
}
