package org.polydesk.viewer.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What the viewer says when gntalloc refuses its region, and how it reads its domain id. The
 * ioctl itself runs in the Xen system test (tests/xen), in a guest under Xen.
 */
class GrantedRegionTest {

    @Test
    void aRefusalForLackOfRoomSaysWhichLimitAndHowToRaiseIt() {
        String m = GrantedRegion.refusal(6076, 28, "No space left on device", "1024");
        assertTrue(m.startsWith("gntalloc refused to grant dom0 6076 pages for the frame region (No space left on device):"
                + " it grants at most 1024 pages at once"), m);
        assertTrue(m.contains("/etc/modprobe.d/polydesk-viewer.conf"), m);
        assertTrue(m.contains("echo 32768 > /sys/module/xen_gntalloc/parameters/limit"), m);
        assertTrue(m.contains("--buffers 2"), m);
    }

    @Test
    void otherRefusalsSayJustWhy() {
        assertEquals("gntalloc refused to grant dom0 2305 pages for the frame region (Cannot allocate memory)",
                GrantedRegion.refusal(2305, 12, "Cannot allocate memory", "32768"));
    }

    @Test
    void theShippedModprobeFileRaisesTheLimitEnoughForFour4kBuffers() throws IOException {
        Path conf = Path.of(System.getProperty("polydesk.repo"), "switcher-viewer/src/deb/modprobe.d/polydesk-viewer.conf");
        assertTrue(Files.readAllLines(conf).contains("options xen_gntalloc limit=" + GrantedRegion.SUGGESTED_LIMIT));
        assertTrue(GrantedRegion.SUGGESTED_LIMIT >= org.polydesk.protocol.viewer.FrameRegion.pagesFor(3840, 2160, 4));
    }

    @Test
    void aDomainIdFromXenstoreIsAGuestsOrAnError() throws IOException {
        assertEquals(12, XenStore.parseDomid("12"));
        assertThrows(IOException.class, () -> XenStore.parseDomid("0"), "dom0 runs no viewer");
        assertThrows(IOException.class, () -> XenStore.parseDomid("32752"), "DOMID_FIRST_RESERVED and up");
        assertThrows(IOException.class, () -> XenStore.parseDomid("7; rm"));
    }
}
