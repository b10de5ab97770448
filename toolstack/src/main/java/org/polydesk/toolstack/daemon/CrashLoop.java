package org.polydesk.toolstack.daemon;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** When each VM was last restarted after a crash, to stop restarting one that keeps crashing. */
final class CrashLoop {
    static final int MAX_RESTARTS = 3;
    static final Duration WINDOW = Duration.ofSeconds(60);

    private final Map<UUID, Deque<Long>> restarts = new HashMap<>();

    /** How many times the VM was restarted within the last {@link #WINDOW}. */
    int restartsBefore(UUID id) {
        Deque<Long> times = restarts.get(id);
        if (times == null) {
            return 0;
        }
        long oldest = System.nanoTime() - WINDOW.toNanos();
        while (!times.isEmpty() && times.peekFirst() - oldest < 0) {
            times.removeFirst();
        }
        return times.size();
    }

    void restarted(UUID id) {
        restarts.computeIfAbsent(id, k -> new ArrayDeque<>()).addLast(System.nanoTime());
    }

    void forget(UUID id) {
        restarts.remove(id);
    }
}
