package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.VmDefinition;

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
    private final RemadeDomains remade = new RemadeDomains();
    private LibxlBackend backend;

    @BeforeEach
    void start() throws Exception {
        backend = new LibxlBackend(xen, run, remade, null, null, run.resolve("proc"));
        VmDefinition def = VmDefinition.builder().id(ID).name("Rebooter").slot(1).memoryMib(256).type(GuestType.PVH)
                .kernel("/boot/vmlinuz").ramdisk("/boot/initrd.img").build();
        assertEquals(1, backend.start(def, List.of()).domid());
        assertEquals(0, xen.pauses(1), "a started domain runs");
    }

    @Test
    void aDomainMadeAgainForARebootRuns() throws Exception {
        xen.guestReboots(1);
        int now = remade.next();
        assertEquals(List.of(now), xen.domids(), "the domain that rebooted is gone");
        assertEquals(0, xen.pauses(now), "the domain made for the reboot runs");
    }

    @Test
    void aPauseOfTheDomainThatShutDownToRebootHoldsForItsSuccessor() throws Exception {
        xen.holdEvents();
        xen.guestReboots(1);
        backend.pause(ID); // libxl has not said yet that the guest shut down: the pause reaches that domain
        xen.reportHeldEvents();
        int now = remade.next();
        assertEquals(1, xen.pauses(now), "the domain made for the reboot stays paused, as the user asked");

        backend.unpause(ID);
        assertEquals(0, xen.pauses(now), "the resume lets it run");
    }

    @Test
    void aPauseWhileTheDomainIsMadeAgainWaitsAndPausesTheNewOne() throws Exception {
        assertEquals(null, xen.callWhileRemaking(1, remade.asTheManager(() -> backend.pause(ID))), "the pause is not refused");
        int now = remade.next();
        assertNotEquals(1, now);
        assertEquals(1, xen.pauses(now), "the pause reached the domain made for the reboot");

        backend.unpause(ID);
        assertEquals(0, xen.pauses(now), "the resume lets it run");
    }
}
