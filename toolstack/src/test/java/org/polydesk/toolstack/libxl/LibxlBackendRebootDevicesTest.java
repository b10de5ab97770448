package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.backend.RunningVm;

/**
 * On Xen a guest's reboot is a new domain, made from what polydeskd hands libxl. What a person put
 * into the running VM must be there after the reboot, as on a PC (an OS installer on a CD reboots
 * into itself; a USB keyboard stays plugged), and a change asked for while the new domain is being
 * made must reach it. Against {@link CountingXen}, which keeps each domain's media and USB devices.
 */
class LibxlBackendRebootDevicesTest {
    private static final UUID ID = UUID.fromString("5a1e0000-0000-4000-8000-000000000022");
    /** The CD drives' vdevs: the empty one first, then the one started with a medium. */
    private static final String EMPTY_DRIVE = "hda";
    private static final String FULL_DRIVE = "hdb";
    private static final UsbDevice KEYBOARD = new UsbDevice("1-2", 1, 5, "046d:c31c", null, "Logitech", "USB Keyboard",
            "keyboard", "12", false, null, null);

    @TempDir
    Path run;

    private final CountingXen xen = new CountingXen();
    private final BlockingQueue<RunningVm> remade = new LinkedBlockingQueue<>();
    private LibxlBackend backend;
    private Path installer;
    private Path tools;

    @BeforeEach
    void start() throws Exception {
        installer = Files.writeString(run.resolve("installer.iso"), "an installer");
        tools = Files.writeString(run.resolve("tools.iso"), "guest tools");
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
        VmDefinition def = VmDefinition.builder().id(ID).name("Installer").slot(1).memoryMib(512).type(GuestType.HVM)
                .disks(List.of(new Disk(null, "raw", true, true, EMPTY_DRIVE), new Disk(tools.toString(), "raw", true, true, FULL_DRIVE)))
                .build();
        assertEquals(1, backend.start(def, List.of()).domid());
        assertEquals("", xen.medium(1, EMPTY_DRIVE), "the empty drive's placeholder is ejected before the guest runs");
        assertEquals(tools.toString(), xen.medium(1, FULL_DRIVE));
    }

    @Test
    void theMediaInTheDrivesWhenTheGuestRebootsAreInTheDomainMadeForIt() throws Exception {
        backend.insertCd(ID, 0, installer);
        backend.ejectCd(ID, 1);
        assertEquals(installer.toString(), xen.medium(1, EMPTY_DRIVE));
        assertEquals("", xen.medium(1, FULL_DRIVE));

        xen.guestReboots(1);
        int now = remadeDomid();
        assertEquals(installer.toString(), xen.medium(now, EMPTY_DRIVE), "the installer inserted while it ran is still in");
        assertEquals("", xen.medium(now, FULL_DRIVE), "the CD ejected while it ran stays out");
    }

    @Test
    void aUsbDeviceGivenToTheGuestIsGivenAgainToTheDomainMadeForItsReboot() throws Exception {
        backend.usbAttach(ID, KEYBOARD);
        xen.guestReboots(1);
        int now = remadeDomid();
        assertEquals(Set.of(List.of(1, 5)), xen.usb(now), "the keyboard is in the rebooted guest");
        assertEquals(List.of(new HypervisorBackend.UsbAddress(1, 5)), backend.usbHeld(ID));

        backend.usbDetach(ID, KEYBOARD);
        xen.guestReboots(now);
        int next = remadeDomid();
        assertEquals(Set.of(), xen.usb(next), "a device taken back is not given again at the next reboot");
    }

    @Test
    void aCdInsertedWhileTheDomainIsMadeAgainReachesTheNewOne() throws Exception {
        CountDownLatch creating = xen.holdNextCreate();
        xen.guestReboots(1);
        assertTrue(creating.await(10, TimeUnit.SECONDS), "the reboot's domain is being made");

        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread insert = new Thread(() -> {
            try {
                backend.insertCd(ID, 0, installer);
            } catch (Exception e) {
                failed.set(e);
            }
        }, "insert");
        insert.start();
        // The insert waits for the domain being made (the old one is gone).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (insert.getState() != Thread.State.BLOCKED && insert.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        xen.letCreateGoOn();
        insert.join(10_000);
        assertNull(failed.get(), "the insert is not refused");
        int now = remadeDomid();
        assertNotEquals(1, now);
        assertEquals(installer.toString(), xen.medium(now, EMPTY_DRIVE), "the medium is in the new domain's drive");
    }

    private int remadeDomid() throws InterruptedException {
        RunningVm vm = remade.poll(10, TimeUnit.SECONDS);
        assertTrue(vm != null, "the VM was made again for its reboot");
        return vm.domid();
    }
}
