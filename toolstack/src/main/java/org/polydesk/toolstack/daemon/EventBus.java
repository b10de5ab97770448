package org.polydesk.toolstack.daemon;

import java.util.UUID;
import java.util.function.Consumer;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.toolstack.events.Subscribers;

/** Hands each lifecycle event, numbered in order, to every subscriber. */
public final class EventBus {
    private final Subscribers<LifecycleEvent> subscribers = new Subscribers<>("lifecycle event");
    private long seq;

    public Runnable subscribe(Consumer<LifecycleEvent> subscriber) {
        return subscribers.subscribe(subscriber);
    }

    /**
     * Numbering and delivery happen under one lock so every subscriber sees events in seq order.
     * {@code state}: the VM's state after the event (null on deleted).
     */
    public void publish(LifecycleEvent.Type type, UUID vm, String name, Integer slot,
                        VmSockets sockets, String detail, LifecycleEvent.Gpu gpu, VmState state) {
        publish(type, vm, name, slot, sockets, detail, gpu, state, null);
    }

    /** With the monitor the VM's definition places it on (for {@code running}). */
    public synchronized void publish(LifecycleEvent.Type type, UUID vm, String name, Integer slot,
                                     VmSockets sockets, String detail, LifecycleEvent.Gpu gpu, VmState state, String monitor) {
        subscribers.publish(new LifecycleEvent(++seq, type, vm, name, slot, sockets, detail, gpu, state, monitor));
    }
}
