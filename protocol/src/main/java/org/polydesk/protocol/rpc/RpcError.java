package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The error member of a JSON-RPC 2.0 response: a stable code (see {@link ErrorCode}), a message for
 * people and, for a validation error, {@code data}: the list of {@link Problem}s.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RpcError(int code, String message, JsonNode data) {
    public RpcError(ErrorCode code, String message) {
        this(code.code(), message, null);
    }

    /** The problems in {@code data}; empty when it holds none (or something else). */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (data != null && data.isArray()) {
            for (JsonNode p : data) {
                if (p.isObject() && p.path("problem").isTextual()) {
                    out.add(new Problem(p.path("field").asText(""), p.get("problem").asText()));
                }
            }
        }
        return out;
    }
}
