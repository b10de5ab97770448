package org.polydesk.toolstack.network;

import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.network.NetworkEvent;
import org.polydesk.toolstack.events.Subscribers;

/** Hands each network event, numbered in order, to every subscriber. */
public final class NetworkEvents {
    private static final Logger LOG = Logger.getLogger(NetworkEvents.class.getName());
    private final Subscribers<NetworkEvent> subscribers = new Subscribers<>("network event");
    private long seq;

    public Runnable subscribe(Consumer<NetworkEvent> subscriber) {
        return subscribers.subscribe(subscriber);
    }

    synchronized void publish(NetworkEvent.Type type, String network, String detail) {
        NetworkEvent event = new NetworkEvent(++seq, type, network, detail);
        LOG.info("network '" + network + "' " + type.name().toLowerCase(java.util.Locale.ROOT)
                + (detail == null ? "" : ": " + detail));
        subscribers.publish(event);
    }
}
