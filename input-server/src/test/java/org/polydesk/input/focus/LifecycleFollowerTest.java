package org.polydesk.input.focus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.testing.FakePolydeskd;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.toolstack.LifecycleEvent;

class LifecycleFollowerTest {
    @TempDir
    Path tmp;

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void slotsFollowPolydeskdAndTheFocusFallsBackWhenTheFocusedVmStops() throws Exception {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        Path sock = tmp.resolve("polydeskd.sock");
        FocusAuthority focus = new FocusAuthority(null);
        try (FakePolydeskd daemon = new FakePolydeskd(sock);
             LifecycleFollower f = new LifecycleFollower(sock, focus, qmp -> new RecordingSink(qmp.toString()))) {
            daemon.running(a, "already-running", 2, tmp.resolve("a/qmp.sock"));
            f.start();
            await(() -> focus.occupied(2), "the VM running before the input server started is listed");
            daemon.publish(LifecycleEvent.Type.STARTED, b, "new", 4, tmp.resolve("b/qmp.sock"));
            await(() -> focus.occupied(4), "a started VM takes its slot");
            assertEquals(tmp.resolve("b/qmp.sock").toString(), ((RecordingSink) focus.sink(4)).describe().substring(10));
            focus.set(4, FocusChanged.Cause.REQUEST);
            daemon.publish(LifecycleEvent.Type.CRASHED, b, "new", 4, null);
            await(() -> focus.focusedSlot() == 0, "focus falls back to the control UI");
            assertFalse(focus.occupied(4));
            assertTrue(focus.occupied(2));
        }
        // polydeskd restarts while VM a was stopped behind our back: the new list drops it.
        try (FakePolydeskd daemon = new FakePolydeskd(sock);
             LifecycleFollower f = new LifecycleFollower(sock, focus, qmp -> new RecordingSink(qmp.toString()))) {
            f.start();
            await(() -> !focus.occupied(2), "a VM missing from vm.list after a reconnect is gone");
        }
    }
}
