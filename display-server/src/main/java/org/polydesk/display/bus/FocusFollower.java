package org.polydesk.display.bus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcFollower;
import org.polydesk.protocol.rpc.RpcMessage;

/**
 * Moves the display server's focus as input-server's focus bus says, and hands it the pointer's
 * place, following the bus with protocol's {@link RpcFollower}. It tells the bus the display
 * server's monitors ({@link FocusBus#HEADS_SET}) at each connection and whenever they change, on a
 * connection of its own; what each monitor shows then comes back with the focus. While the bus is away the screen
 * stays where it was and no pointer is drawn (its place is unknown). A pointer place that is not
 * one (off the screen, not a number, no such slot) is logged and ignored: it never ends the
 * subscription.
 */
public final class FocusFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FocusFollower.class.getName());
    private final RpcFollower follower;
    private final DisplayServer display;
    private final Path socket;
    private final ExecutorService teller = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "focus-bus-heads");
        t.setDaemon(true);
        return t;
    });
    /** Bad places seen in this session: the first is a warning, the rest only counted at FINE. */
    private int badPlaces;

    public FocusFollower(Path socket, Backoff backoff, DisplayServer display) {
        this.display = display;
        this.socket = socket;
        this.follower = new RpcFollower("the focus bus", socket, backoff, this::session, null);
        display.onHeadsChanged(this::tellHeads);
    }

    private void session(RpcClient client) throws IOException {
        badPlaces = 0;
        FocusChanged now = client.call(FocusBus.SUBSCRIBE);
        display.focus(now.slot(), now.heads());
        tellHeads();
        try {
            RpcMessage m;
            while ((m = client.nextNotification()) != null) {
                if (FocusBus.CHANGED.matches(m)) {
                    FocusChanged change = FocusBus.CHANGED.decode(m);
                    display.focus(change.slot(), change.heads());
                } else if (FocusBus.POINTER_MOVED.matches(m)) {
                    pointerMoved(m);
                }
            }
        } finally {
            display.forgetPointer();
        }
    }

    private void pointerMoved(RpcMessage m) {
        String fault;
        try {
            PointerMoved place = m.params() == null || m.params().isNull() ? null : FocusBus.POINTER_MOVED.decode(m);
            if (place != null) {
                display.pointer(place);
                return;
            }
            fault = "no params";
        } catch (IOException | IllegalArgumentException e) {
            fault = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        String why = fault;
        badPlaces++;
        LOG.log(badPlaces == 1 ? Level.WARNING : Level.FINE, () -> "ignoring " + FocusBus.POINTER_MOVED + " " + m.params()
                + ", no place on the screen (" + why + "); " + badPlaces + " so far from this focus bus");
    }

    /** Sends the monitors as they are now, off the caller's thread; a bus that is away hears at its next connection. */
    private void tellHeads() {
        teller.execute(() -> {
            HeadLayout layout = display.layout();
            if (layout.heads().isEmpty()) {
                return;
            }
            try (RpcClient client = RpcClient.connect(socket)) {
                client.call(FocusBus.HEADS_SET, layout);
            } catch (RpcClient.CallException e) {
                LOG.warning(() -> "the focus bus refused the monitors " + layout.heads() + ": " + e.getMessage());
            } catch (IOException e) {
                LOG.fine(() -> "the focus bus is away; it hears of the monitors when it is back: " + e.getMessage());
            }
        });
    }

    public FocusFollower start() {
        follower.start();
        return this;
    }

    @Override
    public void close() {
        teller.shutdownNow();
        follower.close();
    }
}
