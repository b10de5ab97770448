package org.polydesk.display.bus;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.EOFException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.source.Backoff;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcMessage;

/**
 * Moves the display server's focus as input-server's focus bus says, and hands it the pointer's
 * place. While the bus is away the screen stays where it was and no pointer is drawn (its place is
 * unknown). A pointer place that is not one (off the screen, not a number, no such slot) is logged
 * and ignored: it never ends the subscription.
 */
public final class FocusFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FocusFollower.class.getName());
    private final Subscription subscription;
    /** Bad places seen in this session: the first is a warning, the rest only counted at FINE. */
    private int badPlaces;

    public FocusFollower(Path socket, Backoff backoff, DisplayServer display) {
        this.subscription = new Subscription("the focus bus", socket, backoff, client -> {
            badPlaces = 0;
            FocusChanged now = Json.mapper().treeToValue(client.call(FocusBus.SUBSCRIBE, null), FocusChanged.class);
            display.focus(now.slot());
            try {
                while (true) {
                    RpcMessage m = client.nextNotification();
                    if (m == null) {
                        throw new EOFException("the focus bus closed the connection");
                    }
                    if (FocusBus.CHANGED.equals(m.method())) {
                        display.focus(Json.mapper().treeToValue(m.params(), FocusChanged.class).slot());
                    } else if (FocusBus.POINTER_MOVED.equals(m.method())) {
                        pointerMoved(display, m);
                    }
                }
            } finally {
                display.forgetPointer();
            }
        });
    }

    private void pointerMoved(DisplayServer display, RpcMessage m) {
        String fault;
        try {
            PointerMoved place = m.params() == null ? null : Json.mapper().treeToValue(m.params(), PointerMoved.class);
            if (place != null) {
                display.pointer(place);
                return;
            }
            fault = "no params";
        } catch (JsonProcessingException | IllegalArgumentException e) {
            fault = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        String why = fault;
        badPlaces++;
        LOG.log(badPlaces == 1 ? Level.WARNING : Level.FINE, () -> "ignoring pointer.moved " + m.params()
                + ", no place on the screen (" + why + "); " + badPlaces + " so far from this focus bus");
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
