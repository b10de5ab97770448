package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.backend.HypervisorBackend;

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
    private final RemadeDomains remade = new RemadeDomains();
    private LibxlBackend backend;
    private Path installer;
    private Path tools;

    @BeforeEach
    void start() throws Exception {
        installer = Files.writeString(run.resolve("installer.iso"), "an installer");
        tools = Files.writeString(run.resolve("tools.iso"), "guest tools");
        backend = new LibxlBackend(xen, run, remade, null, null, run.resolve("proc"));
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
        int now = remade.next();
        assertEquals(installer.toString(), xen.medium(now, EMPTY_DRIVE), "the installer inserted while it ran is still in");
        assertEquals("", xen.medium(now, FULL_DRIVE), "the CD ejected while it ran stays out");
    }

    @Test
    void aUsbDeviceGivenToTheGuestIsGivenAgainToTheDomainMadeForItsReboot() throws Exception {
        backend.usbAttach(ID, KEYBOARD);
        xen.guestReboots(1);
        int now = remade.next();
        assertEquals(Set.of(List.of(1, 5)), xen.usb(now), "the keyboard is in the rebooted guest");
        assertEquals(List.of(new HypervisorBackend.UsbAddress(1, 5)), backend.usbHeld(ID));

        backend.usbDetach(ID, KEYBOARD);
        xen.guestReboots(now);
        int next = remade.next();
        assertEquals(Set.of(), xen.usb(next), "a device taken back is not given again at the next reboot");
    }

    @Test
    void aCdInsertedWhileTheDomainIsMadeAgainReachesTheNewOne() throws Exception {
        assertNull(xen.callWhileRemaking(1, remade.asTheManager(() -> backend.insertCd(ID, 0, installer))), "the insert is not refused");
        int now = remade.next();
        assertNotEquals(1, now);
        assertEquals(installer.toString(), xen.medium(now, EMPTY_DRIVE), "the medium is in the new domain's drive");
    }
}
