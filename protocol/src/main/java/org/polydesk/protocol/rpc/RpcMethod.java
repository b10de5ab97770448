package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One JSON-RPC method, declared once: its name, the record its params decode to, the type of its
 * result, the error codes it may answer besides the transport's own, and what it does. Servers
 * dispatch through it ({@link RpcServer.Handlers#on}); clients call it ({@link RpcClient#call});
 * nothing outside protocol/ spells a method name or a parameter key.
 *
 * @param <P> the params record ({@link Void} for a method that takes none)
 * @param <R> the result ({@link Void} for a method that answers null)
 */
public final class RpcMethod<P, R> {
    /** Reads answers leniently: a newer server may send fields an older client does not know. */
    static final ObjectMapper LENIENT = Json.mapper().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final String name;
    private final JavaType params;
    private final JavaType result;
    private final Set<ErrorCode> errors;
    private final String doc;

    private RpcMethod(String name, JavaType params, JavaType result, String doc, ErrorCode... errors) {
        this.name = name;
        this.params = params;
        this.result = result;
        this.doc = doc;
        this.errors = Collections.unmodifiableSet(errors.length == 0 ? EnumSet.noneOf(ErrorCode.class) : EnumSet.of(errors[0], errors));
    }

    public static <P, R> RpcMethod<P, R> of(String name, Class<P> params, Class<R> result, String doc, ErrorCode... errors) {
        return new RpcMethod<>(name, type(params), type(result), doc, errors);
    }

    /** A method whose result is a list of {@code element}. */
    public static <P, E> RpcMethod<P, List<E>> listOf(String name, Class<P> params, Class<E> element, String doc,
                                                      ErrorCode... errors) {
        return new RpcMethod<>(name, type(params),
                Json.mapper().getTypeFactory().constructCollectionType(List.class, element), doc, errors);
    }

    private static JavaType type(Class<?> c) {
        return Json.mapper().getTypeFactory().constructType(c);
    }

    public String name() {
        return name;
    }

    public JavaType paramsType() {
        return params;
    }

    public JavaType resultType() {
        return result;
    }

    /** The codes this method itself may answer; every method may also answer the transport's own. */
    public Set<ErrorCode> errors() {
        return errors;
    }

    public String doc() {
        return doc;
    }

    public boolean takesParams() {
        return !params.hasRawClass(Void.class);
    }

    /** What goes on the wire as {@code params}; null for a method that takes none. */
    public JsonNode encodeParams(P value) {
        return takesParams() && value != null ? Json.mapper().valueToTree(value) : null;
    }

    /**
     * The server's side: the params record, strictly (an unknown field is an error). A failure is
     * {@link ErrorCode#INVALID_PARAMS} with the field that is wrong.
     */
    @SuppressWarnings("unchecked")
    public P decodeParams(JsonNode node) throws RpcException {
        if (!takesParams()) {
            if (node != null && !node.isNull() && !(node.isObject() && node.isEmpty())) {
                throw RpcException.invalidParam("", name + " takes no params");
            }
            return null;
        }
        if (node == null || node.isNull()) {
            node = Json.mapper().createObjectNode();
        }
        if (!node.isObject()) {
            throw RpcException.invalidParam("", name + " takes its params as an object of named fields");
        }
        try {
            return (P) Json.mapper().treeToValue(node, params);
        } catch (JsonProcessingException e) {
            throw RpcException.invalid(ErrorCode.INVALID_PARAMS, List.of(JsonProblems.explain("", e)));
        } catch (IllegalArgumentException e) {
            // A record's own constructor refused a value.
            throw RpcException.invalidParam("", e.getMessage());
        }
    }

    public JsonNode encodeResult(R value) {
        return value == null ? null : Json.mapper().valueToTree(value);
    }

    /** The client's side: the result, leniently. */
    @SuppressWarnings("unchecked")
    public R decodeResult(JsonNode node) throws IOException {
        if (result.hasRawClass(Void.class) || node == null || node.isNull()) {
            return null;
        }
        return (R) LENIENT.treeToValue(node, result);
    }

    /**
     * Builds now, and keeps, what {@link #decodeResult} will need (Jackson's reader of the result
     * type): for a client that has a spare thread while it does something else first.
     */
    public void prepareResult() {
        if (!result.hasRawClass(Void.class)) {
            LENIENT.readerFor(result);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
