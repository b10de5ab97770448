package org.polydesk.protocol.viewer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ViewerCodecTest {

    private static ViewerMessage roundTrip(ViewerMessage m) throws IOException {
        return ViewerCodec.read(new ByteArrayInputStream(ViewerCodec.encode(m)));
    }

    @Test
    void everyMessageSurvivesTheWire() throws IOException {
        ViewerMessage.Hello shm = (ViewerMessage.Hello) roundTrip(new ViewerMessage.Hello(1920, 1080,
                new ViewerMessage.SharedFile("polydesk-viewer.1", 25_000_000L)));
        assertEquals(new ViewerMessage.Hello(1920, 1080, new ViewerMessage.SharedFile("polydesk-viewer.1", 25_000_000L)), shm);

        ViewerMessage.Hello xen = (ViewerMessage.Hello) roundTrip(new ViewerMessage.Hello(800, 600,
                new ViewerMessage.XenGrants(7, new int[] {11, 12, 0x7fffffff})));
        ViewerMessage.XenGrants g = (ViewerMessage.XenGrants) xen.region();
        assertEquals(7, g.domid());
        assertArrayEquals(new int[] {11, 12, 0x7fffffff}, g.refs());
        int[] most = new int[FrameRegion.pagesFor(3840, 2160, FrameRegion.MAX_BUFFERS)];
        ViewerMessage.Hello big = (ViewerMessage.Hello) roundTrip(new ViewerMessage.Hello(3840, 2160,
                new ViewerMessage.XenGrants(7, most)));
        assertEquals(32401, ((ViewerMessage.XenGrants) big.region()).refs().length, "four 4K buffers fit in a HELLO");
        assertEquals(new ViewerMessage.Hello(1024, 768, new ViewerMessage.Ivshmem(9_441_280L)),
                roundTrip(new ViewerMessage.Hello(1024, 768, new ViewerMessage.Ivshmem(9_441_280L))));
        for (double scale : new double[] {1, 1.25, 1.5, 2}) {
            assertEquals(scale, ((ViewerMessage.Hello) roundTrip(new ViewerMessage.Hello(3840, 2160, scale,
                    new ViewerMessage.Ivshmem(4096)))).scale(), "the viewer's scale crosses");
        }
        assertThrows(IllegalArgumentException.class, () -> ViewerCodec.encode(new ViewerMessage.Hello(640, 480, 1.75,
                new ViewerMessage.Ivshmem(4096))), "a scale not offered is not sent");

        assertInstanceOf(ViewerMessage.Show.class, roundTrip(new ViewerMessage.Show()));
        assertInstanceOf(ViewerMessage.Hide.class, roundTrip(new ViewerMessage.Hide()));

        ViewerMessage.Frame f = new ViewerMessage.Frame(1L << 40, 2, List.of(new DamageRect(0, 0, 1920, 1080),
                new DamageRect(5, 6, 7, 8)));
        assertEquals(f, roundTrip(f));

        int[] shape = new int[4 * 3];
        Arrays.fill(shape, 0xFF102030);
        ViewerMessage.Cursor c = (ViewerMessage.Cursor) roundTrip(new ViewerMessage.Cursor(true, -3, 70000, 1, 2, 4, 3, shape));
        assertTrue(c.visible());
        assertEquals(-3, c.x());
        assertEquals(Short.MAX_VALUE, c.y(), "positions beyond 16 bits are clamped");
        assertEquals(4, c.width());
        assertArrayEquals(shape, c.argb());
        ViewerMessage.Cursor moved = (ViewerMessage.Cursor) roundTrip(new ViewerMessage.Cursor(false, 9, 9, 0, 0, 0, 0, null));
        assertNull(moved.argb());
        assertTrue(!moved.visible());
    }

    private static byte[] hello() {
        return ViewerCodec.encode(new ViewerMessage.Hello(640, 480, new ViewerMessage.SharedFile("v", 4096)));
    }

    private static String refusal(byte[] wire) {
        return assertThrows(ViewerProtocolException.class, () -> ViewerCodec.read(new ByteArrayInputStream(wire)))
                .getMessage();
    }

    private static byte[] patched(byte[] wire, Consumer<ByteBuffer> change) {
        byte[] copy = wire.clone();
        change.accept(ByteBuffer.wrap(copy));
        return copy;
    }

    @Test
    void whatBreaksTheContractIsRefusedWithItsReason() {
        assertTrue(refusal(patched(hello(), b -> b.putInt(0, 0x12345678))).contains("magic"));
        assertTrue(refusal(patched(hello(), b -> b.putShort(4, (short) 1))).contains("version 1"), "a viewer of version 1 (no scale)");
        assertTrue(refusal(patched(hello(), b -> b.putShort(6, (short) 99))).contains("unknown message type 99"));
        assertTrue(refusal(patched(hello(), b -> b.putInt(8, -1))).contains("more than"));
        assertTrue(refusal(patched(hello(), b -> b.putInt(12, 0))).contains("screen 0x480"));
        assertTrue(refusal(patched(hello(), b -> b.putInt(16, 9000))).contains("9000"));
        assertTrue(refusal(patched(hello(), b -> b.put(20, (byte) 7))).contains("scale of 7 quarters"));
        assertTrue(refusal(patched(hello(), b -> b.put(20, (byte) 0))).contains("scale of 0 quarters"));
        assertTrue(refusal(patched(hello(), b -> b.put(21, (byte) 4))).contains("region kind 4"));
        byte[] ivshmem = ViewerCodec.encode(new ViewerMessage.Hello(640, 480, new ViewerMessage.Ivshmem(4096)));
        assertTrue(refusal(patched(ivshmem, b -> b.putLong(22, -1))).contains("ivshmem region size 18446744073709551615"));
        assertTrue(refusal(patched(ivshmem, b -> b.putInt(8, 10 + 4))).contains("too short"));
        assertTrue(refusal(patched(hello(), b -> b.put(23, (byte) '/'))).contains("name"));
        assertTrue(refusal(patched(hello(), b -> b.put(23, (byte) '.'))).contains("name"), "no hidden or relative names");
        byte[] show = ViewerCodec.encode(new ViewerMessage.Show());
        byte[] longShow = Arrays.copyOf(show, show.length + 1);
        ByteBuffer.wrap(longShow).putInt(8, 1);
        assertTrue(refusal(longShow).contains("SHOW of 1 bytes"));
        byte[] frame = ViewerCodec.encode(new ViewerMessage.Frame(1, 0, List.of(new DamageRect(0, 0, 10, 10))));
        assertTrue(refusal(patched(frame, b -> b.put(20, (byte) 4))).contains("buffer 4"));
        assertTrue(refusal(patched(frame, b -> b.putShort(26, (short) 0))).contains("empty"));
        assertTrue(refusal(patched(frame, b -> b.putInt(8, 9))).contains("too short"));
    }

    @Test
    void aStreamThatEndsInsideAMessageIsAnEof() {
        byte[] wire = hello();
        for (int cut : new int[] {0, 5, 12, wire.length - 1}) {
            assertThrows(EOFException.class, () -> ViewerCodec.read(new ByteArrayInputStream(Arrays.copyOf(wire, cut))));
        }
    }

    @Test
    void messagesFollowOneAnotherOnOneStream() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ViewerCodec.write(new ViewerMessage.Show(), out);
        ViewerCodec.write(new ViewerMessage.Frame(3, 1, List.of()), out);
        ViewerCodec.write(new ViewerMessage.Hide(), out);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertInstanceOf(ViewerMessage.Show.class, ViewerCodec.read(in));
        assertEquals(new ViewerMessage.Frame(3, 1, List.of()), ViewerCodec.read(in));
        assertInstanceOf(ViewerMessage.Hide.class, ViewerCodec.read(in));
        assertThrows(EOFException.class, () -> ViewerCodec.read(in));
    }
}
