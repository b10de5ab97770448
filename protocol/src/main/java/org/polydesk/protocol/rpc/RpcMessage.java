package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One JSON-RPC 2.0 object on the wire: a request (method and id), a notification (method, no id),
 * or a response (id with result or error). One message per line; see {@link LineFraming}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RpcMessage(String jsonrpc, JsonNode id, String method, JsonNode params, JsonNode result, RpcError error) {
    public static final String VERSION = "2.0";

    public static RpcMessage request(long id, String method, JsonNode params) {
        return new RpcMessage(VERSION, Json.mapper().getNodeFactory().numberNode(id), method, params, null, null);
    }

    public static RpcMessage notification(String method, JsonNode params) {
        return new RpcMessage(VERSION, null, method, params, null, null);
    }

    public static RpcMessage result(JsonNode id, JsonNode result) {
        return new RpcMessage(VERSION, id, null, null,
                result == null ? Json.mapper().getNodeFactory().nullNode() : result, null);
    }

    public static RpcMessage error(JsonNode id, RpcError error) {
        return new RpcMessage(VERSION, id == null ? Json.mapper().getNodeFactory().nullNode() : id,
                null, null, null, error);
    }

    /** One line off the wire; anything that is not a JSON-RPC object is an {@link IOException}. */
    public static RpcMessage decode(String line) throws java.io.IOException {
        RpcMessage m = RpcMethod.LENIENT.readValue(line, RpcMessage.class);
        if (m == null) {
            throw new java.io.IOException("not a JSON-RPC message: null");
        }
        return m;
    }

    @JsonIgnore
    public boolean isNotification() {
        return method != null && (id == null || id.isNull());
    }
}
