package org.polydesk.toolstack.events;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Who is told of a kind of event (a connection that subscribed, a part of polydeskd), and the
 * telling: each subscriber in turn, one that throws logged and skipped, never the others' loss.
 */
public final class Subscribers<E> {
    private static final Logger LOG = Logger.getLogger(Subscribers.class.getName());
    private final String what;
    private final CopyOnWriteArrayList<Consumer<E>> subscribers = new CopyOnWriteArrayList<>();

    /** {@code what}: the kind of event, for the log ("lifecycle event", "USB event"). */
    public Subscribers(String what) {
        this.what = what;
    }

    /** Adds one; the Runnable removes it. */
    public Runnable subscribe(Consumer<E> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    public void publish(E event) {
        for (Consumer<E> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                LOG.warning("a subscriber failed on a " + what + " (" + event + "): " + e);
            }
        }
    }
}
