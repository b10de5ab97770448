package org.polydesk.display.bus;

import java.io.EOFException;
import java.nio.file.Path;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.source.Backoff;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcMessage;

/**
 * Moves the display server's focus as input-server's focus bus says. While the bus is away the
 * screen stays where it was.
 */
public final class FocusFollower implements AutoCloseable {
    private final Subscription subscription;

    public FocusFollower(Path socket, Backoff backoff, DisplayServer display) {
        this.subscription = new Subscription("the focus bus", socket, backoff, client -> {
            FocusChanged now = Json.mapper().treeToValue(client.call(FocusBus.SUBSCRIBE, null), FocusChanged.class);
            display.focus(now.slot());
            while (true) {
                RpcMessage m = client.nextNotification();
                if (m == null) {
                    throw new EOFException("the focus bus closed the connection");
                }
                if (FocusBus.CHANGED.equals(m.method())) {
                    display.focus(Json.mapper().treeToValue(m.params(), FocusChanged.class).slot());
                }
            }
        });
    }

    public FocusFollower start() {
        subscription.start();
        return this;
    }

    @Override
    public void close() {
        subscription.close();
    }

}
