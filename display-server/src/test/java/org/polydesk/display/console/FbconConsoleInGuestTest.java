package org.polydesk.display.console;

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
 * The console chord's hand-over on a real kernel: in a test guest whose fbcon was unbound (as the
 * appliance's is while the display server runs), {@link FbconConsole} with {@link
 * org.polydesk.display.linux.FbconMap} puts fbcon back: sysfs says it is bound, and the screen,
 * the guest's colour before, is fbcon's black with its text; a line typed on the keyboard reaches
 * tty1; hiding unbinds it again.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FbconConsoleInGuestTest {
    private static final int COLOUR = 0x3030C0;
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
    void theDisplayServersConsoleGoesBackOnTheScreenAndAway() throws Exception {
        Path script = TestGuest.javaRunScript("fbcon", List.of(), FbconInGuest.class.getName());
        guest = QemuGuest.boot(tmp.resolve("guest"), "none", null, 512,
                TestGuest.cmdlineRunning(String.format("%06X", COLOUR), script), TestGuest.hostRootArgs());
        guest.awaitReady();
        assertTrue(guest.screendump().share(COLOUR) > 0.5, "the guest's colour on the screen first");

        TestGuest.awaitConsole(guest.console(), "FBCON SHOWN", 120);
        String console = Files.readString(guest.console());
        assertTrue(console.contains("FBCON BEFORE bind=0"), console);
        assertTrue(console.contains("FBCON SHOWN bind=1"), console);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double black = 0;
        while (System.nanoTime() < deadline && black < 0.9) {
            Ppm screen = guest.screendump();
            black = screen.share(0x000000);
            Thread.sleep(200);
        }
        assertTrue(black >= 0.9, "fbcon's black screen: " + black + " of it is black");

        guest.sendKeys("o", "k", "ret");
        TestGuest.awaitConsole(guest.console(), "FBCON HIDDEN", 60);
        console = Files.readString(guest.console());
        assertTrue(console.contains("FBCON TYPED ok"), console);
        assertTrue(console.contains("FBCON HIDDEN bind=0"), console);
    }
}
