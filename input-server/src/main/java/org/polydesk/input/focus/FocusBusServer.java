package org.polydesk.input.focus;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.polydesk.input.hotkey.SettingsStore;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.rpc.RpcServer;

/**
 * Serves the focus bus ({@link FocusBus}) on input.sock through protocol's {@link RpcServer}:
 * {@link FocusBus#CONFIG_GET} and {@link FocusBus#CONFIG_SET} (the {@link SettingsStore}),
 * {@link FocusBus#GET}, {@link FocusBus#SET}, {@link FocusBus#SUBSCRIBE} (the answer, then every
 * {@link FocusBus#CHANGED} in seq order, and {@link FocusBus#POINTER_MOVED}). The transport (a
 * bounded queue per client, a client that does not read dropped, never waited for) is the
 * server's; the pointer's place goes as a latest-wins stream, so the input path only leaves the
 * newest place and a mouse at 1000 Hz costs a subscriber 60 lines a second.
 */
public final class FocusBusServer implements Closeable {

    private final FocusAuthority focus;
    /** Each subscribed connection's listeners, removed when it goes. */
    private final Map<RpcServer.Connection, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final RpcServer server;

    /** {@code settings}: what input.config.get answers and input.config.set changes. */
    public FocusBusServer(Path socket, FocusAuthority focus, SettingsStore settings) throws IOException {
        this.focus = focus;
        this.server = RpcServer.serve(socket, "focus bus", new RpcServer.Handlers()
                .on(FocusBus.GET, (params, connection) -> focus.current())
                .on(FocusBus.SET, (params, connection) -> set(params))
                .on(FocusBus.SUBSCRIBE, (params, connection) -> subscribe(connection))
                .on(FocusBus.HEADS_SET, (params, connection) -> heads(params))
                .on(FocusBus.CONFIG_GET, (params, connection) -> settings.get())
                .on(FocusBus.CONFIG_SET, (params, connection) -> settings.set(params)));
    }

    private FocusChanged set(FocusBus.SlotRef params) throws RpcException {
        if (params.slot() == null) {
            throw RpcException.invalidParam(FocusBus.SlotRef.SLOT, "params." + FocusBus.SlotRef.SLOT + " must be a slot number (0 for the control UI, 1 to "
                    + FocusBus.MAX_SLOT + " for VMs)");
        }
        try {
            return focus.set(params.slot(), FocusChanged.Cause.REQUEST);
        } catch (FocusAuthority.NoSuchSlotException e) {
            if (e.empty()) {
                throw new RpcException(ErrorCode.NOT_FOUND, e.getMessage());
            }
            throw RpcException.invalidParam(FocusBus.SlotRef.SLOT, e.getMessage());
        }
    }

    private FocusChanged heads(HeadLayout layout) throws RpcException {
        List<Problem> problems = layout == null ? List.of(new Problem(HeadLayout.HEADS, "params must hold the monitors"))
                : layout.problems();
        if (!problems.isEmpty()) {
            throw RpcException.invalid(ErrorCode.INVALID_PARAMS, problems);
        }
        return focus.setHeads(layout);
    }

    /** Per connection, once: a second subscribe only answers where the focus is. */
    private FocusChanged subscribe(RpcServer.Connection connection) {
        synchronized (focus) {
            if (connection.isOpen() && !subscribers.containsKey(connection)) {
                Subscriber s = new Subscriber(connection);
                subscribers.put(connection, s);
                // Under the authority's lock: the answer is queued before any change can be.
                connection.answerNow(FocusBus.SUBSCRIBE, focus.subscribe(s.changes));
                PointerMoved now = focus.subscribePointer(s.places);
                if (now != null) {
                    s.places.accept(now);
                }
                connection.onClose(() -> {
                    focus.unsubscribe(s.changes);
                    focus.unsubscribePointer(s.places);
                    subscribers.remove(connection);
                });
                return null; // answered
            }
            return focus.current();
        }
    }

    /** One connection's listeners. */
    private static final class Subscriber {
        final Consumer<FocusChanged> changes;
        /** On the input path: leaves the place for the connection's writer, never waits. */
        final Consumer<PointerMoved> places;

        Subscriber(RpcServer.Connection c) {
            changes = change -> c.send(FocusBus.CHANGED, change);
            places = place -> c.sendLatest(FocusBus.POINTER_MOVED, place, FocusBus.POINTER_MILLIS, MILLISECONDS);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
