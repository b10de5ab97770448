package org.polydesk.toolstack.daemon;

import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmState;

/** Hands each lifecycle event, numbered in order, to every subscriber. */
public final class EventBus {
    private static final Logger LOG = Logger.getLogger(EventBus.class.getName());
    private final CopyOnWriteArrayList<Consumer<LifecycleEvent>> subscribers = new CopyOnWriteArrayList<>();
    private long seq;

    public Runnable subscribe(Consumer<LifecycleEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /**
     * Numbering and delivery happen under one lock so every subscriber sees events in seq order.
     * {@code state}: the VM's state after the event (null on deleted).
     */
    public synchronized void publish(LifecycleEvent.Type type, UUID vm, String name, Integer slot,
                                     VmSockets sockets, String detail, LifecycleEvent.Gpu gpu, VmState state) {
        LifecycleEvent event = new LifecycleEvent(++seq, type, vm, name, slot, sockets, detail, gpu, state);
        for (Consumer<LifecycleEvent> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                LOG.warning("a subscriber failed on event " + event.seq() + ": " + e);
            }
        }
    }
}
