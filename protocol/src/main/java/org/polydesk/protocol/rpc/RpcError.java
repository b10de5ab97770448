package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** The error member of a JSON-RPC 2.0 response: a stable code (see {@link ErrorCode}) and a message for people. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RpcError(int code, String message, JsonNode data) {
    public RpcError(ErrorCode code, String message) {
        this(code.code(), message, null);
    }
}
