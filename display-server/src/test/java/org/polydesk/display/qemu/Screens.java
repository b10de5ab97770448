package org.polydesk.display.qemu;

import java.util.concurrent.TimeUnit;
import org.polydesk.display.testing.SourceWatcher;
import org.polydesk.testsupport.Ppm;

/** Compares a source's frames with QEMU's screendump. */
final class Screens {
    private Screens() {
    }

    static int centre(SourceWatcher.Frame f) {
        return f.pixel(f.width() / 2, f.height() / 2) & 0xFFFFFF;
    }

    /**
     * Waits until the source's latest complete frame equals QEMU's screendump exactly. Both are
     * taken again on every try, so a screen that changes (a blinking text cursor) still meets a
     * moment where both agree; a decoder that gets pixels wrong never does.
     */
    static void awaitEqual(QemuGuest guest, SourceWatcher w, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "no frame yet";
        while (System.nanoTime() < deadline) {
            Ppm ppm = guest.screendump();
            SourceWatcher.Frame f = w.latest();
            if (f != null) {
                last = difference(ppm, f);
                if (last == null) {
                    return;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("frame buffer never equalled QEMU's screendump within " + seconds + " s: " + last);
    }

    /** Waits until the screen shows more than a few colours (text drawn). */
    static void awaitText(QemuGuest guest, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (guest.screendump().distinctColours() > 1) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the firmware drew no text within " + seconds + " s");
    }

    /** Null if equal, else what differs. */
    static String difference(Ppm ppm, SourceWatcher.Frame f) {
        if (ppm.width() != f.width() || ppm.height() != f.height()) {
            return "size " + f.width() + "x" + f.height() + ", screendump " + ppm.width() + "x" + ppm.height();
        }
        long wrong = 0;
        String first = null;
        for (int y = 0; y < f.height(); y++) {
            for (int x = 0; x < f.width(); x++) {
                int want = ppm.rgbAt(x, y);
                int got = f.pixel(x, y);
                if ((got & 0xFFFFFF) != want || (got >>> 24) != 0xFF) {
                    if (first == null) {
                        first = String.format("(%d,%d) is %08X, screendump %06X", x, y, got, want);
                    }
                    wrong++;
                }
            }
        }
        return wrong == 0 ? null : wrong + " pixels differ, first " + first;
    }
}
