package org.polydesk.display.sink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * A monitor unplugged while the display server runs on KMS: inside a test guest with a virtio-gpu
 * of two heads (the first connected, as QEMU starts it), polydesk-display drives the first and
 * shows a second guest. The second head is plugged in, then the first unplugged, both through the
 * guest's sysfs {@code status} of their connectors (as the kernel's hot-plug would leave them);
 * the picture must move to the second head, at that head's own size, with no restart.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class KmsHotplugInGuestTest {
    private static final int SHOWN = 0x3060C0;
    private static final int INDICATOR = 0xE0A000;
    @TempDir
    Path tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void theVmMovesToTheMonitorLeftWhenItsOwnIsUnplugged() throws Exception {
        int display = QemuGuest.freeVncDisplay();
        QemuGuest shown = QemuGuest.boot(tmp.resolve("shown"), "127.0.0.1:" + display, null, 256,
                TestGuest.cmdline(String.format("%06X", SHOWN)), List.of());
        cleanup.add(shown);
        shown.awaitReady();

        Path server = TestGuest.javaRunScript("kms-hotplug", List.of(), "org.polydesk.display.daemon.DisplayMain",
                "--sink", "kms:/dev/dri/card1", "--source", "1=Shown,#E0A000,tcp:10.0.2.2:" + (5900 + display),
                "--initial-focus", "1", "--banner-ms", "3600000", "--border", "6",
                "--toolstack-socket", "/run/absent/polydeskd.sock", "--focus-socket", "/run/absent/input.sock",
                "--ui-vnc", "/run/absent/vnc.sock");
        // The display server in the background; each line typed on tty1 plugs or unplugs a head.
        Path script = server.resolveSibling("hotplug.sh");
        Files.writeString(script, String.join("\n",
                "sh " + TestGuest.guestPath(server) + " &",
                "set -- /sys/class/drm/card1-*",
                "while read -r step < /dev/tty1; do",
                "  case $step in",
                "    plug) echo on > $2/status && echo \"HOTPLUG plugged ${2##*/}\" ;;",
                "    unplug) echo off > $1/status && echo \"HOTPLUG unplugged ${1##*/}\" ;;",
                "  esac",
                "done", ""));

        QemuGuest host = QemuGuest.boot(tmp.resolve("host"), "none", null, 1024,
                TestGuest.cmdlineRunning("202020", script),
                QemuGuest.runningArgs("-device", "virtio-gpu-pci,max_outputs=2,id=vgpu"));
        cleanup.add(host);
        host.awaitReady();
        TestGuest.awaitConsole(host.console(), "polydesk-display on kms /dev/dri/card1 ", 120);
        Ppm first = awaitShown(host, 0);

        type(host, "plug");
        TestGuest.awaitConsole(host.console(), "HOTPLUG plugged", 60);
        type(host, "unplug");
        TestGuest.awaitConsole(host.console(), "HOTPLUG unplugged", 60);
        TestGuest.awaitConsole(host.console(), " went", 60);
        Ppm second = awaitShown(host, 1);
        Files.copy(host.console(), server.resolveSibling("console.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String console = Files.readString(host.console());
        assertTrue(second.width() != first.width() || second.height() != first.height(),
                "the second head has its own size: " + first.width() + "x" + first.height() + " then "
                        + second.width() + "x" + second.height());
        assertTrue(!console.contains("Exception"), console);
    }

    /** Waits until head {@code head} of the guest's virtio-gpu shows the VM in its border; returns that screen. */
    private static Ppm awaitShown(QemuGuest host, int head) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String why = "";
        while (System.nanoTime() < deadline) {
            try {
                Ppm screen = host.screendump("vgpu", head);
                int w = screen.width();
                int h = screen.height();
                if (screen.rgbAt(0, 0) == INDICATOR && screen.rgbAt(w - 1, h - 1) == INDICATOR
                        && screen.rgbAt(w / 2, h / 2) == SHOWN) {
                    return screen;
                }
                why = String.format("%dx%d, corner %06X, centre %06X", w, h, screen.rgbAt(0, 0), screen.rgbAt(w / 2, h / 2));
            } catch (java.io.IOException e) {
                why = e.getMessage();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("head " + head + " never showed the VM: " + why + "\nguest console:\n"
                + Files.readString(host.console()));
    }

    private static void type(QemuGuest guest, String word) throws Exception {
        List<String> keys = new ArrayList<>();
        for (char c : word.toCharArray()) {
            keys.add(String.valueOf(c));
        }
        keys.add("ret");
        guest.sendKeys(keys.toArray(String[]::new));
    }
}
