package org.polydesk.protocol.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FrameRegionTest {

    private static ByteBuffer memory(int w, int h, int buffers) {
        return ByteBuffer.allocateDirect((int) FrameRegion.bytesFor(w, h, buffers));
    }

    @Test
    void aRegionOfGrantedPagesNeedsTheHeaderPageAndEveryBufferRoundedUp() {
        assertEquals(1 + 3 * 2025, FrameRegion.pagesFor(1920, 1080, 3), "1080p, three buffers");
        assertEquals(1 + 3 * 768, FrameRegion.pagesFor(1024, 768, 3));
        assertEquals(2, FrameRegion.pagesFor(3, 3, 2), "72 bytes of pixels still take a page");
    }

    @Test
    void dom0WritesAFrameTheViewerReadsBack() throws Exception {
        ByteBuffer shared = memory(32, 16, 3);
        FrameRegion viewer = FrameRegion.create(shared, 32, 16, 3);
        FrameRegion dom0 = FrameRegion.attach(shared, 32, 16);
        assertNull(viewer.latest(), "no frame before dom0 publishes one");

        int b = dom0.nextBuffer(0);
        dom0.pixels(b).put(5 * 32 + 7, 0xFF336699);
        dom0.publish(1, b, List.of(new DamageRect(7, 5, 1, 1)));

        FrameRegion.Published p = viewer.latest();
        assertEquals(new FrameRegion.Published(1, b, List.of(new DamageRect(7, 5, 1, 1))), p);
        assertEquals(0xFF336699, viewer.pixels(p.buffer()).get(5 * 32 + 7));
        // the pixel sits where JavaFX's INT_ARGB_PRE expects it: B, G, R, A in memory
        ByteBuffer bytes = shared.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int at = FrameRegion.HEADER_BYTES + b * 32 * 16 * 4 + (5 * 32 + 7) * 4;
        assertEquals(0x99, bytes.get(at) & 0xFF);
        assertEquals(0xFF, bytes.get(at + 3) & 0xFF);
    }

    @Test
    void dom0NeverPicksTheShownOrTheLastBuffer() throws Exception {
        ByteBuffer shared = memory(8, 8, 3);
        FrameRegion viewer = FrameRegion.create(shared, 8, 8, 3);
        FrameRegion dom0 = FrameRegion.attach(shared, 8, 8);
        for (int current = 0; current < 3; current++) {
            for (int shown = 0; shown < 3; shown++) {
                viewer.showing(shown);
                int next = dom0.nextBuffer(current);
                assertNotEquals(current, next);
                assertNotEquals(shown, next);
            }
        }
        viewer.showing(77);
        assertEquals(FrameRegion.NONE, dom0.showing(), "an out-of-range claim counts as none");
    }

    @Test
    void aHeaderThatDoesNotMatchItsHelloIsRefused() {
        ByteBuffer shared = memory(64, 32, 2);
        FrameRegion.create(shared, 64, 32, 2);
        assertTrue(assertThrows(ViewerProtocolException.class, () -> FrameRegion.attach(shared, 64, 33))
                .getMessage().contains("64x32 for a 64x33 screen"));
        assertTrue(assertThrows(ViewerProtocolException.class, () -> FrameRegion.attach(shared.slice(0, shared.capacity() - 1),
                64, 32)).getMessage().contains("bytes for 2 buffers"));
        shared.order(ByteOrder.LITTLE_ENDIAN).putInt(28, 9);
        assertTrue(assertThrows(ViewerProtocolException.class, () -> FrameRegion.attach(shared, 64, 32))
                .getMessage().contains("9 buffers"));
        ByteBuffer none = memory(64, 32, 2);
        assertTrue(assertThrows(ViewerProtocolException.class, () -> FrameRegion.attach(none, 64, 32))
                .getMessage().contains("magic"));
    }

    /** The seqlock: a reader racing the writer never sees fields of two different frames. */
    @Test
    void aReaderRacingTheWriterSeesWholeFrames() throws Exception {
        ByteBuffer shared = memory(100, 100, 3);
        FrameRegion viewer = FrameRegion.create(shared, 100, 100, 3);
        FrameRegion dom0 = FrameRegion.attach(shared, 100, 100);
        int frames = 200_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            long last = 0;
            try {
                while (last < frames) {
                    FrameRegion.Published p = viewer.latest();
                    if (p == null) {
                        continue;
                    }
                    long s = p.serial();
                    assertTrue(s >= last, "serials go forward");
                    assertEquals((int) (s % 3), p.buffer(), "buffer of frame " + s);
                    DamageRect r = p.damage().get(0);
                    assertEquals(new DamageRect((int) (s % 50), (int) (s % 41), 1 + (int) (s % 49), 1 + (int) (s % 58)), r);
                    last = s;
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (long s = 1; s <= frames; s++) {
            dom0.publish(s, (int) (s % 3), List.of(new DamageRect((int) (s % 50), (int) (s % 41), 1 + (int) (s % 49),
                    1 + (int) (s % 58))));
        }
        reader.join(30_000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(Thread.State.TERMINATED, reader.getState(), "the reader saw the last frame");
    }
}
