package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.backend.RunningVm;

/**
 * A guest that reboots itself (a triple fault is a reboot to Xen) gets a new domain, made paused
 * and then let run; a pause or resume of the VM meanwhile must land on the domain that runs on, or
 * the VM is shown paused while it runs and its resume is refused (Xen's pause count is 0: EINVAL),
 * as a Xen system test run once saw. Against {@link CountingXen}, which counts pauses as Xen does.
 */
class LibxlBackendRebootRaceTest {
    private static final UUID ID = UUID.fromString("5a1e0000-0000-4000-8000-000000000021");

    @TempDir
    Path run;

    private final CountingXen xen = new CountingXen();
    private final BlockingQueue<RunningVm> remade = new LinkedBlockingQueue<>();
    private LibxlBackend backend;

    @BeforeEach
    void start() throws Exception {
        HypervisorBackend.ExitListener listener = new HypervisorBackend.ExitListener() {
            @Override
            public void exited(UUID id, HypervisorBackend.ExitReason reason, String detail) {
            }

            @Override
            public void remade(UUID id, RunningVm now) {
                remade.add(now);
            }
        };
        backend = new LibxlBackend(xen, run, listener, null, null, run.resolve("proc"));
        VmDefinition def = VmDefinition.builder().id(ID).name("Rebooter").slot(1).memoryMib(256).type(GuestType.PVH)
                .kernel("/boot/vmlinuz").ramdisk("/boot/initrd.img").build();
        assertEquals(1, backend.start(def, List.of()).domid());
        assertEquals(0, xen.pauses(1), "a started domain runs");
    }

    @Test
    void aDomainMadeAgainForARebootRuns() throws Exception {
        xen.guestReboots(1);
        int now = remadeDomid();
        assertEquals(List.of(now), xen.domids(), "the domain that rebooted is gone");
        assertEquals(0, xen.pauses(now), "the domain made for the reboot runs");
    }

    @Test
    void aPauseOfTheDomainThatShutDownToRebootHoldsForItsSuccessor() throws Exception {
        xen.holdEvents();
        xen.guestReboots(1);
        backend.pause(ID); // libxl has not said yet that the guest shut down: the pause reaches that domain
        xen.reportHeldEvents();
        int now = remadeDomid();
        assertEquals(1, xen.pauses(now), "the domain made for the reboot stays paused, as the user asked");

        backend.unpause(ID);
        assertEquals(0, xen.pauses(now), "the resume lets it run");
    }

    @Test
    void aPauseWhileTheDomainIsMadeAgainWaitsAndPausesTheNewOne() throws Exception {
        CountDownLatch creating = xen.holdNextCreate();
        xen.guestReboots(1);
        assertTrue(creating.await(10, TimeUnit.SECONDS), "the reboot's domain is being made");

        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread pause = new Thread(() -> {
            try {
                backend.pause(ID);
            } catch (Exception e) {
                failed.set(e);
            }
        }, "pause");
        pause.start();
        // The pause waits for the domain being made (the old one is gone).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pause.getState() != Thread.State.BLOCKED && pause.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        xen.letCreateGoOn();
        pause.join(10_000);
        assertEquals(null, failed.get(), "the pause is not refused");
        int now = remadeDomid();
        assertNotEquals(1, now);
        assertEquals(1, xen.pauses(now), "the pause reached the domain made for the reboot");

        backend.unpause(ID);
        assertEquals(0, xen.pauses(now), "the resume lets it run");
    }

    private int remadeDomid() throws InterruptedException {
        RunningVm vm = remade.poll(10, TimeUnit.SECONDS);
        assertTrue(vm != null, "the VM was made again for its reboot");
        return vm.domid();
    }
}
