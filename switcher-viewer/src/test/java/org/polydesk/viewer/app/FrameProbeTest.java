package org.polydesk.viewer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.viewer.DamageRect;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/** --probe's line for a frame: the Xen system test compares it with the CRC-32 dom0 computed. */
class FrameProbeTest {

    @Test
    void eachNewFrameIsOneLineWithTheCrcOfItsPixelsAsTheyLieInMemory() throws Exception {
        ByteBuffer shared = ByteBuffer.allocateDirect((int) FrameRegion.bytesFor(8, 4, 3));
        FrameRegion viewer = FrameRegion.create(shared, 8, 4, 3);
        FrameRegion dom0 = FrameRegion.attach(shared, 8, 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameProbe probe = new FrameProbe(viewer, new PrintStream(out, true, StandardCharsets.UTF_8), 1);

        int b = dom0.nextBuffer(0);
        byte[] memory = new byte[8 * 4 * 4];
        for (int i = 0; i < 32; i++) {
            int px = 0xFF000000 | i * 0x010203;
            dom0.pixels(b).put(i, px);
            memory[4 * i] = (byte) px; // B, G, R, A: little-endian words
            memory[4 * i + 1] = (byte) (px >> 8);
            memory[4 * i + 2] = (byte) (px >> 16);
            memory[4 * i + 3] = (byte) (px >>> 24);
        }
        dom0.publish(1, b, List.of(new DamageRect(0, 0, 8, 4)));
        assertFalse(probe.await(0));
        probe.frame(new ViewerMessage.Frame(1, b, List.of()));
        probe.frame(new ViewerMessage.Frame(1, b, List.of())); // the same frame again: no second line

        CRC32 crc = new CRC32();
        crc.update(memory);
        assertEquals(String.format("frame 1 buffer %d crc32 %08x%n", b, crc.getValue()), out.toString(StandardCharsets.UTF_8));
        assertEquals(b, dom0.showing(), "dom0 is told which buffer is being read");
        assertTrue(probe.await(0), "the one frame asked for was read");
    }
}
