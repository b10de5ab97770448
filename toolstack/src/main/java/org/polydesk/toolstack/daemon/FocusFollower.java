package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Consumer;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcFollower;
import org.polydesk.protocol.rpc.RpcMessage;

/**
 * Follows input-server's focus bus for polydeskd's parts that act on focus (the audio policy): each
 * change of the VM in front is handed on as the VM's id ({@code null}: the control UI, or the bus
 * is away, in which case no VM counts as in front).
 */
final class FocusFollower implements AutoCloseable {
    private final RpcFollower follower;
    private final Consumer<UUID> onFocus;

    FocusFollower(Path socket, Consumer<UUID> onFocus) {
        this.onFocus = onFocus;
        this.follower = new RpcFollower("the focus bus", socket, Backoff.DEFAULT, this::session, null);
    }

    private void session(RpcClient client) throws IOException {
        onFocus.accept(client.call(FocusBus.SUBSCRIBE).vm());
        try {
            RpcMessage m;
            while ((m = client.nextNotification()) != null) {
                if (FocusBus.CHANGED.matches(m)) {
                    onFocus.accept(FocusBus.CHANGED.decode(m).vm());
                }
            }
        } finally {
            onFocus.accept(null);
        }
    }

    FocusFollower start() {
        follower.start();
        return this;
    }

    @Override
    public void close() {
        follower.close();
    }
}
