package org.polydesk.protocol.rpc;

import java.time.Duration;

/**
 * The one reconnect policy of every Polydesk client (followers, RFB sources, the viewer link):
 * exponential delays: {@code initial}, doubling, never above {@code max}. A VM that
 * restarts is back within about a second; one that is gone costs a connect attempt per {@code max}.
 */
public record Backoff(Duration initial, Duration max) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
    }

    /** The delay before attempt {@code failures} + 1, after that many failures in a row (≥ 1). */
    public Duration delay(int failures) {
        int doublings = Math.min(Math.max(failures - 1, 0), 30);
        long ms = initial.toMillis() << doublings;
        return ms <= 0 || ms > max.toMillis() ? max : Duration.ofMillis(ms);
    }
}
