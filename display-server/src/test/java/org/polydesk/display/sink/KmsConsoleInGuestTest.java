package org.polydesk.display.sink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.qemu.QemuGuest;
import org.polydesk.testsupport.Ppm;
import org.polydesk.testsupport.TestGuest;

/**
 * The KMS screen and the kernel's console hand the monitor to each other: {@link KmsConsoleInGuest}
 * runs inside the test guest (bochs-drm, fbcon unbound by the guest's init); the screendumps must
 * show our frame, then fbcon's black console once we dropped DRM master, then our frame again, and
 * then, while another DRM client holds master, its picture and our lost master logged, then our
 * frame again by itself once it let go; and after we closed the card the framebuffer emulation's
 * picture again (fbcon's, which drew on it last), which the kernel restores.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KmsConsoleInGuestTest {
    private static final int GUEST_COLOUR = 0x30C030;
    /** The compositor's "display not available" background, which the guest program shows. */
    private static final int FRAME = 0x262626;
    /** What the other DRM client shows while it holds master. */
    private static final int THIEF = 0xC03030;
    @TempDir
    Path tmp;
    private QemuGuest guest;

    @AfterEach
    void cleanUp() throws Exception {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    void theScreenGoesToTheConsoleAndBackAndRecoversFromALostMaster() throws Exception {
        Path script = TestGuest.javaRunScript("kms-console", List.of(), KmsConsoleInGuest.class.getName());
        guest = QemuGuest.boot(tmp.resolve("guest"), "none", null, 512,
                TestGuest.cmdlineRunning(String.format("%06X", GUEST_COLOUR), script), TestGuest.hostRootArgs());
        guest.awaitReady();

        TestGuest.awaitConsole(guest.console(), "KMS SHOWN", 120);
        awaitShare(FRAME, 0.5, "our frame by KMS");
        guest.sendKeys("g", "o", "ret");

        TestGuest.awaitConsole(guest.console(), "CONSOLE SHOWN", 60);
        awaitShare(0x000000, 0.9, "fbcon's black console once we are not DRM master");
        guest.sendKeys("o", "k", "ret");

        TestGuest.awaitConsole(guest.console(), "KMS BACK", 60);
        awaitShare(FRAME, 0.5, "our frame again, by KMS");
        guest.sendKeys("o", "n", "ret");

        TestGuest.awaitConsole(guest.console(), "KMS DROPPED A FRAME", 60);
        awaitShare(THIEF, 0.9, "the other DRM master's picture");
        assertTrue(Files.readString(guest.console()).contains("frames are not shown on /dev/dri/card0 now: cannot become DRM master"),
                "the lost master is logged:\n" + Files.readString(guest.console()));
        guest.sendKeys("g", "o", "ret");

        TestGuest.awaitConsole(guest.console(), "KMS RECOVERED", 60);
        awaitShare(FRAME, 0.5, "our frame once the other master let go");
        assertTrue(Files.readString(guest.console()).contains("showing frames on /dev/dri/card0 again"), "the recovery is logged");
        guest.sendKeys("e", "n", "d", "ret");

        TestGuest.awaitConsole(guest.console(), "KMS CLOSED", 60);
        // the framebuffer emulation's own picture, as fbcon left it
        awaitShare(0x000000, 0.9, "the kernel's framebuffer on the screen again after the card was closed");
        String console = Files.readString(guest.console());
        assertTrue(console.contains("KMS TYPED go") && console.contains("CONSOLE TYPED ok"), console);
        assertFalse(console.contains("KMS STALLED"), console);
        assertFalse(console.contains("Exception"), console);
    }

    private void awaitShare(int rgb, double least, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double share = 0;
        while (System.nanoTime() < deadline) {
            share = guest.screendump().share(rgb);
            if (share >= least) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + ": only " + share + " of the screen is " + String.format("%06X", rgb)
                + "\nguest console:\n" + Files.readString(guest.console()));
    }
}
