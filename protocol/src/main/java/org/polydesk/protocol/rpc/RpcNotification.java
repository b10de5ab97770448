package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.databind.JavaType;
import java.io.IOException;

/**
 * A notification a server sends (no id, no answer), declared once: its method name, the record it
 * carries and when it is sent.
 */
public final class RpcNotification<T> {
    private final String name;
    private final JavaType type;
    private final String doc;

    private RpcNotification(String name, JavaType type, String doc) {
        this.name = name;
        this.type = type;
        this.doc = doc;
    }

    public static <T> RpcNotification<T> of(String name, Class<T> type, String doc) {
        return new RpcNotification<>(name, Json.mapper().getTypeFactory().constructType(type), doc);
    }

    public String name() {
        return name;
    }

    public JavaType type() {
        return type;
    }

    public String doc() {
        return doc;
    }

    public RpcMessage message(T value) {
        return RpcMessage.notification(name, Json.mapper().valueToTree(value));
    }

    public boolean matches(RpcMessage m) {
        return m != null && name.equals(m.method());
    }

    /** The value a received notification carries, leniently (a newer server may add fields). */
    @SuppressWarnings("unchecked")
    public T decode(RpcMessage m) throws IOException {
        return (T) RpcMethod.LENIENT.treeToValue(m.params(), type);
    }

    @Override
    public String toString() {
        return name;
    }
}
