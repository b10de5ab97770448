package org.polydesk.display.sink;

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
import org.polydesk.testsupport.TestGuest;

/**
 * A monitor plugged in is heard by the kernel's uevent, not found by looking: inside a test guest
 * with a virtio-gpu of two heads, {@link KmsUeventInGuest} drives the first and looks on its own
 * only every ten minutes. The second head is plugged in (its connector forced on in sysfs, which
 * on Debian 12's kernel sends no uevent of itself) and the card's change uevent sent as the kernel
 * sends it on a real plug (through the card's sysfs {@code uevent}); the sink must drive both at once.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KmsUeventInGuestTest {
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
    void aMonitorPluggedInIsDrivenAtTheKernelsUevent() throws Exception {
        Path run = TestGuest.javaRunScript("kms-uevent", List.of(), KmsUeventInGuest.class.getName());
        Path script = run.resolveSibling("uevent.sh");
        Files.writeString(script, String.join("\n",
                "set -- /sys/class/drm/card1-*",
                "sh " + TestGuest.guestPath(run) + " | while read -r line; do",
                "  echo \"$line\"",
                "  case $line in",
                "    'UEVENT DRIVING 1') echo on > $2/status && echo change > /sys/class/drm/card1/uevent ;;",
                "  esac",
                "done", ""));
        guest = QemuGuest.boot(tmp.resolve("guest"), "none", null, 1024, TestGuest.cmdlineRunning("202020", script),
                QemuGuest.runningArgs("-device", "virtio-gpu-pci,max_outputs=2,id=vgpu"));
        guest.awaitReady();
        TestGuest.awaitConsole(guest.console(), "UEVENT DRIVING 1", 120);
        TestGuest.awaitConsole(guest.console(), "UEVENT DRIVING 2 ", 90);
        String console = Files.readString(guest.console());
        assertTrue(console.contains("the monitors of /dev/dri/card1 changed (the kernel's uevent)"), console);
        assertTrue(!console.contains("Exception"), console);
    }
}
