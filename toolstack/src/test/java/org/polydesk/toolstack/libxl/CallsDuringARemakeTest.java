package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.testsupport.SysfsTree;
import org.polydesk.toolstack.daemon.EventBus;
import org.polydesk.toolstack.daemon.VmManager;
import org.polydesk.toolstack.definition.VmStore;
import org.polydesk.toolstack.gpu.ConsoleUsers;
import org.polydesk.toolstack.gpu.HandoverStore;
import org.polydesk.toolstack.gpu.PciIds;
import org.polydesk.toolstack.gpu.SimulatedKernel;
import org.polydesk.toolstack.gpu.SysfsPci;

/**
 * polydeskd's VM manager on the libxl backend while a rebooting guest's domain is made again: a CD
 * insert (or a pause) that came meanwhile waits for the new domain, and the manager answers
 * everyone else in the meantime (a vm list from the UI must not wait for a domain to be built);
 * a suspend of that VM waits for the change in progress and judges the VM as it is after it.
 */
class CallsDuringARemakeTest {
    private static final UUID ID = UUID.fromString("5a1e0000-0000-4000-8000-000000000051");

    @TempDir
    Path tmp;

    @Test
    void aVmListIsAnsweredWhileACdInsertWaitsForTheRebootingGuestsNewDomain() throws Exception {
        CountingXen xen = new CountingXen();
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path installer = Files.writeString(tmp.resolve("installer.iso"), "an installer");
        SimulatedKernel kernel = new SimulatedKernel(new SysfsTree(tmp.resolve("sys")));
        VmManager manager = new VmManager(new VmStore(tmp.resolve("vms")), new EventBus(),
                listener -> new LibxlBackend(xen, run, listener, null, null, tmp.resolve("proc")), kernel,
                new SysfsPci(kernel.pciDevices(), PciIds.load(tmp.resolve("none"))), new HandoverStore(run.resolve("gpu")),
                ConsoleUsers.NONE);
        manager.load();
        manager.create(VmDefinition.builder().id(ID).name("Installer").memoryMib(512).type(GuestType.HVM)
                .disks(List.of(new Disk(null, "raw", true, true, "hda"))).build());
        int first = manager.start("Installer").domid();

        CountDownLatch creating = xen.holdNextCreate();
        xen.guestReboots(first);
        assertTrue(creating.await(10, TimeUnit.SECONDS), "the reboot's domain is being made");
        BlockingCall insert = BlockingCall.start("cd-insert", () -> manager.insertCd("Installer", null, installer));
        assertEquals(Thread.State.BLOCKED, insert.state(), "the insert waits for the domain being made");

        List<?> listed;
        try {
            listed = CompletableFuture.supplyAsync(manager::list).get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("vm list waited for the domain being made (5 s and more)");
        }
        assertEquals(1, listed.size(), "vm list is answered meanwhile");
        assertTrue(insert.running(), "while the insert still waits");
        // A suspend asked for meanwhile waits for the insert to end, then sees the disc: the saved
        // guest would be resumed with its definition's empty drive.
        BlockingCall suspend = BlockingCall.start("suspend", () -> manager.suspend("Installer"));
        assertEquals(Thread.State.BLOCKED, suspend.state(), "the suspend waits for the CD change in progress");

        xen.letCreateGoOn();
        assertNull(insert.join(), "the insert is not refused");
        Exception suspendRefused = suspend.join();
        assertTrue(suspendRefused != null && suspendRefused.getMessage().contains("has a CD changed while it runs"),
                "the suspend is refused for the disc: " + suspendRefused);
        int now = manager.show("Installer").domid();
        assertTrue(now != first, "the guest runs in a new domain");
        assertEquals(installer.toString(), xen.medium(now, "hda"), "the disc is in the new domain's drive");
        assertEquals(VmState.RUNNING, manager.show("Installer").state());
    }
}
