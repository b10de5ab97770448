package org.polydesk.protocol.rpc;

import java.nio.file.Path;
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
        List methods = RpcMethod.declaredIn(holder, RpcMethod.class);
        List notifications = RpcMethod.declaredIn(holder, RpcNotification.class);
        return new RpcApi(title, server, socket, doc, List.copyOf(methods), List.copyOf(notifications));
    }

    public RpcMethod<?, ?> method(String name) {
        return methods.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }
}
