package org.polydesk.testsupport;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting on a condition with a deadline, as the tests do instead of fixed sleeps. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails after {@code seconds} naming what did not happen and what was seen. */
    public static void until(String what, long seconds, BooleanSupplier condition, Supplier<String> seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + seconds + " s; " + seen.get());
            }
            Thread.sleep(50);
        }
    }
}
