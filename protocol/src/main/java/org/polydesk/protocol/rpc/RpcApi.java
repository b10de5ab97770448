package org.polydesk.protocol.rpc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The contract of one socket: who serves it, where, every method it answers and every
 * notification it sends. The declarations live as constants in one holder class per socket
 * (the toolstack's, the focus bus's); this is how tests and the generated map walk them.
 */
public record RpcApi(String title, String server, Path socket, String doc, List<RpcMethod<?, ?>> methods,
                     List<RpcNotification<?>> notifications) {

    /** The API whose methods and notifications are the static constants of {@code holder}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static RpcApi declaredIn(Class<?> holder, String title, String server, Path socket, String doc) {
        List methods = declaredIn(holder, RpcMethod.class);
        List notifications = declaredIn(holder, RpcNotification.class);
        return new RpcApi(title, server, socket, doc, List.copyOf(methods), List.copyOf(notifications));
    }

    public RpcMethod<?, ?> method(String name) {
        return methods.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }

    /** Every {@code RpcMethod} and {@code RpcNotification} constant declared in {@code holder}, in order. */
    private static <T> List<T> declaredIn(Class<?> holder, Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (java.lang.reflect.Field f : holder.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && kind.isAssignableFrom(f.getType())) {
                try {
                    out.add(kind.cast(f.get(null)));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
