package org.polydesk.toolstack.libxl;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A call of the backend's or the manager's on a thread of its own, which a test expects to block on a lock. */
final class BlockingCall {
    private final Thread thread;
    private final AtomicReference<Exception> failed = new AtomicReference<>();

    private BlockingCall(String name, CountingXen.Call call) {
        thread = new Thread(() -> {
            try {
                call.run();
            } catch (Exception e) {
                failed.set(e);
            }
        }, name);
    }

    /** Starts {@code call} and waits until it is blocked on a lock, it ended, or 10 s passed. */
    static BlockingCall start(String name, CountingXen.Call call) throws InterruptedException {
        BlockingCall c = new BlockingCall(name, call);
        c.thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.thread.getState() != Thread.State.BLOCKED && c.thread.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return c;
    }

    Thread.State state() {
        return thread.getState();
    }

    boolean running() {
        return thread.isAlive();
    }

    /** Waits (up to 10 s) for the call to end; what it threw, or null. */
    Exception join() throws InterruptedException {
        thread.join(10_000);
        return failed.get();
    }
}
