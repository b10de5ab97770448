package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.backend.RunningVm;

/**
 * The backend's listener in the reboot tests: the domains it made again for guests' reboots, in
 * order. As VmManager's, it takes a lock that the manager holds while it calls the backend.
 */
final class RemadeDomains implements HypervisorBackend.ExitListener {
    private final BlockingQueue<RunningVm> remade = new LinkedBlockingQueue<>();

    @Override
    public void exited(UUID id, HypervisorBackend.ExitReason reason, String detail) {
    }

    @Override
    public synchronized void remade(UUID id, RunningVm now) {
        remade.add(now);
    }

    /**
     * {@code call} made as VmManager makes its pause and CD calls: holding the lock that its
     * {@link #remade} takes.
     */
    CountingXen.Call asTheManager(CountingXen.Call call) {
        return () -> {
            synchronized (this) {
                call.run();
            }
        };
    }

    /** The domid of the next domain made for a reboot; the test fails when none is made within 10 s. */
    int next() throws InterruptedException {
        RunningVm vm = remade.poll(10, TimeUnit.SECONDS);
        assertTrue(vm != null, "the VM was made again for its reboot");
        return vm.domid();
    }
}
