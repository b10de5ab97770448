package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

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

    /**
     * One line off the wire; anything that is not a JSON-RPC object is an {@link IOException}. Read
     * as a tree and taken apart by hand, as {@link #encode} builds one: binding this record would
     * cost a short-lived client (polyctl) its introspection on every call.
     */
    public static RpcMessage decode(String line) throws IOException {
        JsonNode n = RpcMethod.LENIENT.readTree(line);
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON-RPC message: " + (n == null ? "nothing" : n.getNodeType().name().toLowerCase()));
        }
        JsonNode e = n.get("error");
        RpcError error = null;
        if (e != null && !e.isNull()) {
            if (!e.isObject() || !e.path("code").canConvertToInt()) {
                throw new IOException("not a JSON-RPC error: " + e);
            }
            error = new RpcError(e.get("code").asInt(), text(e, "message"), e.get("data"));
        }
        return new RpcMessage(text(n, "jsonrpc"), n.get("id"), text(n, "method"), n.get("params"), n.get("result"), error);
    }

    private static String text(JsonNode object, String field) throws IOException {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IOException("not a JSON-RPC message: " + field + " is " + v.getNodeType().name().toLowerCase());
        }
        return v.asText();
    }

    /** This message as one line of JSON, without the newline; members that are null are left out. */
    public String encode() throws JsonProcessingException {
        ObjectNode o = Json.mapper().createObjectNode();
        if (jsonrpc != null) {
            o.put("jsonrpc", jsonrpc);
        }
        putIfThere(o, "id", id);
        if (method != null) {
            o.put("method", method);
        }
        putIfThere(o, "params", params);
        putIfThere(o, "result", result);
        if (error != null) {
            ObjectNode e = o.putObject("error").put("code", error.code());
            if (error.message() != null) {
                e.put("message", error.message());
            }
            putIfThere(e, "data", error.data());
        }
        return Json.mapper().writeValueAsString(o);
    }

    private static void putIfThere(ObjectNode o, String field, JsonNode value) {
        if (value != null) {
            o.set(field, value);
        }
    }

    @JsonIgnore
    public boolean isNotification() {
        return method != null && (id == null || id.isNull());
    }
}
