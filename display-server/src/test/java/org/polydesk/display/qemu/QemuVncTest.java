package org.polydesk.display.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbConnection;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.source.RfbSource;
import org.polydesk.display.testing.SourceWatcher;
import org.polydesk.testsupport.TestGuest;

/**
 * Our RFB client against QEMU's own VNC server: the client's frame buffer must equal QEMU's
 * screendump pixel for pixel (ZRLE and Raw), each guest's source shows that guest, keys typed
 * through the client reach the guest, and a killed QEMU is survived and reconnected. At most one
 * QEMU runs at a time (the machine is shared), so the two guests run one after the other while
 * both sources stay open.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QemuVncTest {
    @TempDir
    Path tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private QemuGuest boot(String dirName, Path socket, String colour) throws Exception {
        QemuGuest g = QemuGuest.boot(tmp.resolve(dirName), socket, colour);
        cleanup.add(g);
        return g;
    }

    private RfbSource source(String name, Path socket, List<Integer> encodings, SourceWatcher w) {
        return source(name, socket, RfbConfig.defaults().withEncodings(encodings), w);
    }

    private RfbSource source(String name, Path socket, RfbConfig config, SourceWatcher w) {
        RfbSource s = new RfbSource(name, RfbEndpoint.unix(socket), config,
                new Backoff(java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(500)), w);
        cleanup.add(s);
        return s.start();
    }

    @Test
    void frameBufferEqualsScreendumpWithZrleAndWithRawAndKeysReachTheGuest() throws Exception {
        Path socket = tmp.resolve("vnc.sock");
        QemuGuest guest = boot("vm", socket, "C03030");
        guest.awaitSockets();
        SourceWatcher zw = new SourceWatcher();
        SourceWatcher rw = new SourceWatcher();
        RfbSource zrle = source("zrle", socket, Encodings.DEFAULT, zw);
        // The Raw source also probes an idle QEMU every second: QEMU must answer, the source stays.
        RfbSource raw = source("raw", socket, RfbConfig.defaults().withEncodings(Encodings.rawOnly())
                .withTimeouts(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(1)), rw);
        zw.await("connected", 30);
        rw.await("connected", 30);
        guest.awaitReady();

        Screens.awaitEqual(guest, zw, 30);
        Screens.awaitEqual(guest, rw, 30);
        SourceWatcher.Frame f = zw.latest();
        assertEquals(0xC03030, f.pixel(f.width() / 2, f.height() / 2) & 0xFFFFFF, "centre is the guest's colour");
        assertEquals(0xFFFFFF, f.pixel(0, 0) & 0xFFFFFF, "corner is the white border");

        RfbConnection zc = zrle.connection().orElseThrow();
        Map<Integer, Long> zCounts = zc.rectangleCounts();
        Map<Integer, Long> rCounts = raw.connection().orElseThrow().rectangleCounts();
        System.out.println("QEMU ServerInit: " + zc.serverInfo() + "; guest screen " + f.width() + "x" + f.height());
        System.out.println("QEMU sent, ZRLE client: " + named(zCounts) + "; Raw client: " + named(rCounts));
        assertTrue(zCounts.getOrDefault(Encodings.ZRLE, 0L) > 0, "ZRLE rectangles arrived: " + zCounts);
        assertTrue(rCounts.getOrDefault(Encodings.RAW, 0L) > 0, "Raw rectangles arrived: " + rCounts);
        assertFalse(rCounts.containsKey(Encodings.ZRLE));

        // Keys by position (QEMU qnum = PC scancode) through the extended key event.
        assertTrue(zc.qemuKeyEventsSupported(), "QEMU acknowledged extended key events");
        int[][] keys = {{'h', 0x23}, {'i', 0x17}};
        for (int[] k : keys) {
            zc.sendQemuKeyEvent(true, k[0], k[1]);
            zc.sendQemuKeyEvent(false, k[0], k[1]);
        }
        TestGuest.awaitTyped(guest.console(), "hi", 30);
        zc.sendPointerEvent(0, 100, 100);
        zc.sendPointerEvent(1, 120, 110);
        zc.sendPointerEvent(0, 120, 110);
        // Still the same connection and still in step with QEMU afterwards.
        Screens.awaitEqual(guest, zw, 30);
        Thread.sleep(3000); // idle: the Raw source's probes go out and are answered
        assertTrue(zrle.isConnected());
        assertTrue(raw.isConnected());
        assertEquals(List.of(), List.copyOf(zw.events), "no reconnects");
        assertEquals(List.of(), List.copyOf(rw.events), "no reconnects despite idle probes");
    }

    @Test
    void eachSourceShowsItsOwnGuestAndReconnectsWhenItsQemuRestarts() throws Exception {
        Path socketA = tmp.resolve("a.sock");
        Path socketB = tmp.resolve("b.sock");
        SourceWatcher wa = new SourceWatcher();
        SourceWatcher wb = new SourceWatcher();
        // Both sources exist before any QEMU: they retry with backoff until a server appears.
        RfbSource a = source("a", socketA, Encodings.DEFAULT, wa);
        RfbSource b = source("b", socketB, Encodings.DEFAULT, wb);

        QemuGuest guestA = boot("vm-a", socketA, "C03030");
        wa.await("connected", 60);
        guestA.awaitReady();
        Screens.awaitEqual(guestA, wa, 30);
        assertEquals(0xC03030, Screens.centre(wa.latest()));

        guestA.kill(); // as a crash: SIGKILL
        wa.await("disconnected", 30);
        assertFalse(a.isConnected());

        QemuGuest guestB = boot("vm-b", socketB, "2060D0");
        wb.await("connected", 60);
        guestB.awaitReady();
        Screens.awaitEqual(guestB, wb, 30);
        assertEquals(0x2060D0, Screens.centre(wb.latest()));
        // A's frame buffer is its own: still A's last picture, untouched by B.
        assertEquals(0xC03030, Screens.centre(wa.latest()));
        assertEquals(0xC03030, a.frameBuffer().surface().pixel(a.frameBuffer().width() / 2,
                a.frameBuffer().height() / 2) & 0xFFFFFF);
        guestB.kill();
        wb.await("disconnected", 30);

        // A's VM comes back on the same socket path (a new colour shows it is the new QEMU).
        QemuGuest guestA2 = boot("vm-a2", socketA, "30A040");
        wa.await("connected", 60);
        guestA2.awaitReady();
        Screens.awaitEqual(guestA2, wa, 30);
        assertEquals(0x30A040, Screens.centre(wa.latest()));
        assertEquals(0x2060D0, Screens.centre(wb.latest()));
        assertFalse(b.isConnected());
    }

    /**
     * SeaBIOS's text screen (no kernel, no disk: "No bootable device") has glyphs, so QEMU's ZRLE
     * encoder sends palette and RLE tiles rather than solid ones; the cursor blinks, which the
     * retrying comparison absorbs.
     */
    @Test
    void firmwareTextScreenEqualsScreendumpWithZrleAndWithRaw() throws Exception {
        Path socket = tmp.resolve("vnc.sock");
        QemuGuest guest = QemuGuest.bootFirmwareOnly(tmp.resolve("fw"), socket);
        cleanup.add(guest);
        guest.awaitSockets();
        SourceWatcher zw = new SourceWatcher();
        SourceWatcher rw = new SourceWatcher();
        RfbSource zrle = source("zrle", socket, Encodings.DEFAULT, zw);
        RfbSource raw = source("raw", socket, Encodings.rawOnly(), rw);
        zw.await("connected", 30);
        rw.await("connected", 30);
        Screens.awaitText(guest, 60);
        Screens.awaitEqual(guest, zw, 30);
        Screens.awaitEqual(guest, rw, 30);
        System.out.println("firmware screen " + zw.latest().width() + "x" + zw.latest().height() + ", QEMU sent "
                + named(zrle.connection().orElseThrow().rectangleCounts()));
    }

    private static String named(Map<Integer, Long> counts) {
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) -> b.append(Encodings.name(k)).append('(').append(k).append(")=").append(v).append(' '));
        return b.toString().strip();
    }
}
