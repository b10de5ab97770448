package org.polydesk.display.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.testing.MemoryTransport;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.display.testing.ZrleEncoder;
import org.polydesk.display.testing.ZrleEncoder.Mode;

/** The decoders against streams built byte by byte, compared with a model of the screen. */
class RfbDecoderTest {

    /** What a run over a stream left behind. */
    record Result(FrameBuffer fb, MemoryTransport transport, RfbConnection connection, IOException ended,
                  List<String> events) {
        int[] pixels() {
            return fb.copyPixels();
        }
    }

    static Result run(byte[] stream, RfbConfig config, int chunk) {
        MemoryTransport t = new MemoryTransport(stream, chunk);
        FrameBuffer fb = new FrameBuffer();
        List<String> events = new ArrayList<>();
        RfbListener l = new RfbListener() {
            @Override
            public void frameUpdated(FrameBuffer f) {
                events.add("frame");
            }

            @Override
            public void cursorChanged(CursorShape c) {
                events.add("cursor " + c.width() + "x" + c.height());
            }

            @Override
            public void bell() {
                events.add("bell");
            }

            @Override
            public void cutText(String text) {
                events.add("cut " + text);
            }
        };
        RfbConnection c = null;
        IOException ended = null;
        try {
            c = RfbConnection.over(t, config, fb, l);
            c.run();
        } catch (IOException e) {
            ended = e;
        }
        return new Result(fb, t, c, ended, events);
    }

    static Result run(byte[] stream) {
        return run(stream, RfbConfig.defaults(), Integer.MAX_VALUE);
    }

    /** A stream that ends cleanly after its messages: the run ends in EOF, nothing else. */
    static Result runToEof(byte[] stream, int chunk) {
        Result r = run(stream, RfbConfig.defaults(), chunk);
        assertInstanceOf(EOFException.class, r.ended, () -> "ended by " + r.ended);
        return r;
    }

    static int[] randomImage(Random rnd, int w, int h, int colours, int meanRun) {
        int[] palette = new int[colours];
        for (int i = 0; i < colours; i++) {
            palette[i] = 0xFF000000 | rnd.nextInt(1 << 24);
        }
        int[] img = new int[w * h];
        for (int i = 0; i < img.length; ) {
            int c = palette[rnd.nextInt(colours)];
            int run = 1 + rnd.nextInt(meanRun * 2);
            for (int k = 0; k < run && i < img.length; k++) {
                img[i++] = c;
            }
        }
        return img;
    }

    @Test
    void handshakeAsksForOurPixelFormatEncodingsAndTheWholeScreen() {
        Result r = runToEof(ServerStream.handshake(320, 200).toByteArray(), Integer.MAX_VALUE);
        ByteBuffer w = ByteBuffer.wrap(r.transport.written());
        byte[] version = new byte[12];
        w.get(version);
        assertEquals("RFB 003.008\n", new String(version));
        assertEquals(1, w.get(), "security type None");
        assertEquals(1, w.get(), "ClientInit shared");
        assertEquals(0, w.get(), "SetPixelFormat");
        w.position(w.position() + 3);
        byte[] pf = new byte[16];
        w.get(pf);
        assertArrayEquals(new byte[] {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0}, pf);
        assertEquals(2, w.get(), "SetEncodings");
        w.get();
        int n = w.getShort();
        List<Integer> encodings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            encodings.add(w.getInt());
        }
        assertEquals(Encodings.DEFAULT, encodings);
        assertEquals(3, w.get(), "FramebufferUpdateRequest");
        assertEquals(0, w.get(), "non-incremental");
        assertEquals(List.of(0, 0, 320, 200), List.of((int) w.getShort(), (int) w.getShort(), (int) w.getShort(),
                (int) w.getShort()));
        assertEquals("test", r.connection.serverInfo().name());
        assertEquals(320, r.fb.width());
        assertEquals(200, r.fb.height());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4096, Integer.MAX_VALUE})
    void rawRectanglesLandWhereTheySayAndAreDamaged(int chunk) {
        Random rnd = new Random(1);
        int[] a = randomImage(rnd, 13, 7, 1000, 1);
        int[] b = randomImage(rnd, 64, 50, 5, 3);
        ServerStream s = ServerStream.handshake(100, 60);
        s.update(2).rect(5, 9, 13, 7, Encodings.RAW).pixels(a).rect(36, 10, 64, 50, Encodings.RAW).pixels(b);
        Result r = runToEof(s.toByteArray(), chunk);
        int[] model = new int[100 * 60];
        Arrays.fill(model, FrameBuffer.OPAQUE_BLACK);
        paste(model, 100, a, 5, 9, 13, 7);
        paste(model, 100, b, 36, 10, 64, 50);
        assertArrayEquals(model, r.pixels());
        assertEquals(List.of("frame"), r.events);
        assertEquals(List.of(new Rect(0, 0, 100, 60)), r.fb.drainDamage(), "the first frame damages all");
    }

    @Test
    void damageListsOnlyTheChangedRectangles() {
        FrameBuffer fb = new FrameBuffer();
        fb.resize(100, 100);
        fb.drainDamage();
        fb.damage(new Rect(1, 2, 3, 4));
        fb.damage(new Rect(1, 2, 2, 2)); // inside the first
        fb.damage(new Rect(50, 50, 10, 10));
        assertEquals(List.of(new Rect(1, 2, 3, 4), new Rect(50, 50, 10, 10)), fb.drainDamage());
        assertFalse(fb.hasDamage());
        for (int i = 0; i < 200; i++) {
            fb.damage(new Rect(i % 100, i / 2, 1, 1));
        }
        List<Rect> many = fb.drainDamage();
        assertTrue(many.size() <= 64, "bounded: " + many.size());
        assertTrue(many.stream().anyMatch(d -> d.contains(new Rect(99, 99, 1, 1))), "nothing lost: " + many);
    }

    /**
     * Raw rectangles larger than the input buffer go from the transport straight into the frame
     * buffer: a full-width one as one span, a narrower one row by row; whatever the transport's
     * chunks, the pixels land where the model says, the top byte of each pixel shown opaque.
     */
    @ParameterizedTest
    @ValueSource(ints = {997, 65536, Integer.MAX_VALUE})
    void largeRawRectanglesGoStraightIntoPlace(int chunk) {
        Random rnd = new Random(4);
        int w = 400;
        int h = 400;
        int[] full = randomImage(rnd, w, h, 1 << 24, 1);
        int[] part = randomImage(rnd, 300, 300, 1 << 24, 1);
        for (int[] img : new int[][] {full, part}) {
            for (int i = 0; i < img.length; i++) {
                img[i] &= 0xFFFFFF; // the padding byte as QEMU and Xvnc send it
            }
        }
        ServerStream s = ServerStream.handshake(w, h);
        s.update(2).rect(0, 0, w, h, Encodings.RAW).pixels(full).rect(50, 70, 300, 300, Encodings.RAW).pixels(part);
        Result r = runToEof(s.toByteArray(), chunk);
        int[] model = full.clone();
        paste(model, w, part, 50, 70, 300, 300);
        for (int i = 0; i < model.length; i++) {
            model[i] |= 0xFF000000;
        }
        assertArrayEquals(model, r.pixels());
    }

    @ParameterizedTest
    @ValueSource(ints = {-3, 3, 0})
    void copyRectCopiesOverlappingRegionsLikeAMemmove(int shift) {
        Random rnd = new Random(2);
        int w = 40;
        int h = 30;
        int[] img = randomImage(rnd, w, h, 1 << 20, 1);
        ServerStream s = ServerStream.handshake(w, h);
        s.update(1).rect(0, 0, w, h, Encodings.RAW).pixels(img);
        // Source (5,5) 20x15 moved by (shift, shift) and by (shift, 0): rows overlap both ways.
        s.update(2).rect(5 + shift, 5 + shift, 20, 15, Encodings.COPY_RECT).u16(5).u16(5)
                .rect(5 + shift, 5, 20, 15, Encodings.COPY_RECT).u16(5).u16(5);
        Result r = runToEof(s.toByteArray(), Integer.MAX_VALUE);
        int[] model = img.clone();
        copy(model, w, 5, 5, 5 + shift, 5 + shift, 20, 15);
        copy(model, w, 5, 5, 5 + shift, 5, 20, 15);
        assertArrayEquals(model, r.pixels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"AUTO", "RAW", "SOLID", "PACKED_PALETTE", "PLAIN_RLE", "PALETTE_RLE"})
    void zrleDecodesEveryTileSubencodingAcrossRectanglesAndUpdatesOfOneZlibStream(String modeName) {
        Mode mode = Mode.valueOf(modeName);
        Random rnd = new Random(modeName.hashCode());
        int w = 200;
        int h = 150;
        ZrleEncoder enc = new ZrleEncoder();
        ServerStream s = ServerStream.handshake(w, h);
        int[] model = new int[w * h];
        Arrays.fill(model, FrameBuffer.OPAQUE_BLACK);
        // Palette sizes on both sides of each packing width (1, 2 and 4 bits), 127, and many.
        int[] colourCounts = {1, 2, 3, 4, 5, 16, 17, 127, 128, 5000};
        for (int u = 0; u < colourCounts.length; u++) {
            int colours = colourCounts[u];
            int rw = 1 + rnd.nextInt(w);
            int rh = 1 + rnd.nextInt(h);
            int rx = rnd.nextInt(w - rw + 1);
            int ry = rnd.nextInt(h - rh + 1);
            int[] img = randomImage(rnd, rw, rh, colours, colours > 200 ? 1 : 1 + rnd.nextInt(300));
            int rw2 = 1 + rnd.nextInt(70);
            int rh2 = 1 + rnd.nextInt(70);
            int[] img2 = randomImage(rnd, rw2, rh2, 1 + rnd.nextInt(20), 2);
            s.update(2).rect(rx, ry, rw, rh, Encodings.ZRLE).bytes(enc.rectangle(img, rw, 0, 0, rw, rh, mode))
                    .rect(0, 0, rw2, rh2, Encodings.ZRLE).bytes(enc.rectangle(img2, rw2, 0, 0, rw2, rh2, mode));
            paste(model, w, img, rx, ry, rw, rh);
            paste(model, w, img2, 0, 0, rw2, rh2);
        }
        byte[] stream = s.toByteArray();
        for (int chunk : new int[] {1, 100, Integer.MAX_VALUE}) {
            Result r = runToEof(stream, chunk);
            assertArrayEquals(model, r.pixels(), "chunk " + chunk);
            assertEquals(colourCounts.length, r.events.size());
        }
    }

    @Test
    void zrleRectangleOfZeroSizeAndAnEmptyUpdateAreFine() {
        ZrleEncoder enc = new ZrleEncoder();
        ServerStream s = ServerStream.handshake(10, 10);
        s.update(0);
        s.update(1).rect(10, 10, 0, 0, Encodings.ZRLE).bytes(enc.rectangle(new int[0], 0, 0, 0, 0, 0, Mode.AUTO));
        s.update(1).rect(0, 0, 10, 10, Encodings.ZRLE).bytes(enc.rectangle(new int[100], 10, 0, 0, 10, 10, Mode.AUTO));
        Result r = runToEof(s.toByteArray(), Integer.MAX_VALUE);
        assertEquals(3, r.events.size());
        assertEquals(0xFF000000, r.fb.surface().pixel(9, 9));
    }

    @Test
    void desktopSizeResizesAndAsksForTheWholeNewArea() {
        ServerStream s = ServerStream.handshake(100, 50);
        s.update(1).rect(0, 0, 300, 200, Encodings.DESKTOP_SIZE);
        s.update(1).rect(0, 0, 300, 200, Encodings.DESKTOP_SIZE); // repeated: no change, no clearing
        s.update(2).rect(1, 0, 640, 480, Encodings.EXTENDED_DESKTOP_SIZE).u8(1).u8(0).u8(0).u8(0)
                .u32(0).u16(0).u16(0).u16(640).u16(480).u32(0)
                .rect(630, 470, 2, 1, Encodings.RAW).pixels(new int[] {0x123456, 0xABCDEF});
        // Status 3 (invalid layout) answers a request that failed: nothing changes.
        s.update(1).rect(1, 3, 800, 600, Encodings.EXTENDED_DESKTOP_SIZE).u8(0).u8(0).u8(0).u8(0);
        Result r = runToEof(s.toByteArray(), Integer.MAX_VALUE);
        assertEquals(640, r.fb.width());
        assertEquals(480, r.fb.height());
        assertEquals(0xFFABCDEF, r.fb.surface().pixel(631, 470));
        List<int[]> requests = requests(r.transport.written());
        // Initial full; after the first resize full 300x200; repeated size → incremental; after 640x480 full.
        assertEquals("0 0 0 100 50|0 0 0 300 200|1 0 0 300 200|0 0 0 640 480|1 0 0 640 480",
                requests.stream().map(q -> q[0] + " " + q[1] + " " + q[2] + " " + q[3] + " " + q[4])
                        .reduce((a, b) -> a + "|" + b).orElse(""));
    }

    @Test
    void cursorKeepsItsImageMaskAndHotspot() {
        int[] img = {0x111111, 0x222222, 0x333333, 0x444444, 0x555555, 0x666666, 0x777777, 0x888888, 0x999999,
                0xAAAAAA};
        ServerStream s = ServerStream.handshake(20, 20);
        // 10x1 cursor, hotspot (3,0); mask bits 1010 0000 11: pixels 0, 2, 8, 9 visible.
        s.update(1).rect(3, 0, 10, 1, Encodings.CURSOR).pixels(img).u8(0b1010_0000).u8(0b1100_0000);
        s.update(1).rect(0, 0, 0, 0, Encodings.CURSOR);
        RfbConfig defaults = RfbConfig.defaults();
        Result r = run(s.toByteArray(), defaults, Integer.MAX_VALUE);
        assertEquals(List.of("cursor 10x1", "frame", "cursor 0x0", "frame"), r.events);
        assertTrue(r.fb.cursor().isHidden());
        Result first = run(Arrays.copyOf(s.toByteArray(), s.length() - 16), defaults, Integer.MAX_VALUE);
        CursorShape c = first.fb.cursor();
        assertEquals(3, c.hotX());
        assertArrayEquals(new int[] {0xFF111111, 0, 0xFF333333, 0, 0, 0, 0, 0, 0xFF999999, 0xFFAAAAAA}, c.argb());
    }

    @Test
    void qemuExtendedKeyEventsAfterTheAcknowledgementAndPointerEvents() throws IOException {
        ServerStream s = ServerStream.handshake(20, 20);
        s.update(1).rect(0, 0, 20, 20, Encodings.QEMU_EXTENDED_KEY_EVENT);
        Result r = runToEof(s.toByteArray(), Integer.MAX_VALUE);
        assertTrue(r.connection.qemuKeyEventsSupported());
        Result before = runToEof(ServerStream.handshake(20, 20).toByteArray(), Integer.MAX_VALUE);
        assertThrows(IllegalStateException.class, () -> before.connection.sendQemuKeyEvent(true, 'a', 0x1e));

        MemoryTransport t = new MemoryTransport(s.toByteArray());
        RfbConnection c = RfbConnection.over(t, RfbConfig.defaults(), new FrameBuffer(), null);
        assertThrows(EOFException.class, c::run);
        int start = t.written().length;
        c.sendQemuKeyEvent(true, 0xffe3, 0x1d); // Control_L
        c.sendPointerEvent(0b101, 70000, 12);
        c.sendKeyEvent(false, 'q');
        byte[] w = Arrays.copyOfRange(t.written(), start, t.written().length);
        assertArrayEquals(new byte[] {(byte) 255, 0, 0, 1, 0, 0, (byte) 0xff, (byte) 0xe3, 0, 0, 0, 0x1d,
                5, 0b101, (byte) 0xff, (byte) 0xff, 0, 12,
                4, 0, 0, 0, 0, 0, 0, 'q'}, w);
    }

    @Test
    void colourMapIsIgnoredBellAndCutTextAreReported() {
        ServerStream s = ServerStream.handshake(20, 20);
        s.u8(1).u8(0).u16(250).u16(6).bytes(new byte[36]);
        s.u8(2);
        s.u8(3).u8(0).u8(0).u8(0).u32(5).bytes(new byte[] {'h', (byte) 0xE9, 'l', 'l', 'o'}); // Latin-1
        s.update(1).rect(0, 0, 1, 1, Encodings.RAW).pixels(new int[] {0x00FF00});
        Result r = runToEof(s.toByteArray(), Integer.MAX_VALUE);
        assertEquals(List.of("bell", "cut h\u00e9llo", "frame"), r.events);
        assertEquals(0xFF00FF00, r.fb.surface().pixel(0, 0));
    }

    @Test
    void aSmallerSizeReusesTheMemoryAndGrowthIsBoundedByTheLimit() {
        FrameBuffer fb = new FrameBuffer(10_000);
        fb.resize(100, 100);
        fb.surface().pixels().put(5, 0x123456);
        long big = fb.surface().pixels().capacity();
        fb.resize(10, 10);
        assertEquals(big, fb.surface().pixels().capacity(), "reused");
        assertEquals(0xFF000000, fb.surface().pixel(5, 0), "black again");
        assertEquals(10, fb.surface().stride());
        assertThrows(IllegalArgumentException.class, () -> fb.resize(101, 100));
    }

    @Test
    void aGuestsModesGetTheMemoryTheyNeedAndAServerThatKeepsGrowingGetsDoubling() {
        FrameBuffer fb = new FrameBuffer(4096L * 2160);
        for (int[] mode : new int[][] {{720, 400}, {640, 480}, {800, 600}, {1024, 768}, {1920, 1080}}) {
            fb.resize(mode[0], mode[1]);
            assertEquals(mode[0] * mode[1], fb.surface().pixels().capacity(), mode[0] + "x" + mode[1]);
        }
        fb.resize(1280, 1024);
        assertEquals(1920 * 1080, fb.surface().pixels().capacity(), "a smaller mode reuses the memory");
        int width = 1920;
        for (int i = 5; i < FrameBuffer.EXACT_GROWTHS; i++) {
            fb.resize(++width, 1080);
        }
        assertEquals(width * 1080, fb.surface().pixels().capacity());
        fb.resize(width + 1, 1080);
        assertEquals(2L * width * 1080, fb.surface().pixels().capacity(), "past the guest's modes, it doubles");
    }

    static void paste(int[] model, int stride, int[] img, int x, int y, int w, int h) {
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                model[(y + r) * stride + x + c] = img[r * w + c] | 0xFF000000;
            }
        }
    }

    static void copy(int[] model, int stride, int sx, int sy, int dx, int dy, int w, int h) {
        int[] tmp = model.clone();
        for (int r = 0; r < h; r++) {
            System.arraycopy(tmp, (sy + r) * stride + sx, model, (dy + r) * stride + dx, w);
        }
    }

    /** The FramebufferUpdateRequests among the client's bytes after the handshake. */
    static List<int[]> requests(byte[] written) {
        List<int[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(written);
        b.position(12 + 1 + 1 + 20);
        b.position(b.position() + 4 + 4 * Short.toUnsignedInt(b.getShort(b.position() + 2)));
        while (b.remaining() >= 10 && b.get(b.position()) == 3) {
            b.get();
            out.add(new int[] {b.get(), b.getShort() & 0xffff, b.getShort() & 0xffff, b.getShort() & 0xffff,
                    b.getShort() & 0xffff});
        }
        return out;
    }
}
