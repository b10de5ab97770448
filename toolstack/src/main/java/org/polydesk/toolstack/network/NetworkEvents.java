package org.polydesk.toolstack.network;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.network.NetworkEvent;

/** Hands each network event, numbered in order, to every subscriber. */
public final class NetworkEvents {
    private static final Logger LOG = Logger.getLogger(NetworkEvents.class.getName());
    private final CopyOnWriteArrayList<Consumer<NetworkEvent>> subscribers = new CopyOnWriteArrayList<>();
    private long seq;

    public Runnable subscribe(Consumer<NetworkEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    synchronized void publish(NetworkEvent.Type type, String network, String detail) {
        NetworkEvent event = new NetworkEvent(++seq, type, network, detail);
        LOG.info("network '" + network + "' " + type.name().toLowerCase(java.util.Locale.ROOT)
                + (detail == null ? "" : ": " + detail));
        for (Consumer<NetworkEvent> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                LOG.warning("a subscriber failed on network event " + event.seq() + ": " + e);
            }
        }
    }
}
