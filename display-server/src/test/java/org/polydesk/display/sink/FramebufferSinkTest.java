package org.polydesk.display.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.linux.FbGeometry;
import org.polydesk.display.framebuffer.Rect;

/** The pixel conversion of the framebuffer sink, on memory laid out as real devices lay it out. */
class FramebufferSinkTest {

    private static Frame frame(int w, int h, int argb) {
        Frame f = new Frame(w, h);
        java.util.Arrays.fill(f.pixels(), argb);
        return f;
    }

    @Test
    void xrgb8888GoesInAsBlueGreenRedBytesAndOnlyWhereDamaged() throws IOException {
        FbGeometry g = FbGeometry.xrgb8888(8, 4);
        ByteBuffer mem = ByteBuffer.allocate((int) g.mappedLength());
        FramebufferSink sink = new FramebufferSink(g, mem);
        sink.present(frame(8, 4, 0xFF112233), List.of(new Rect(2, 1, 3, 2)));
        assertEquals(0x33, mem.get((int) g.offset(2, 1)) & 0xFF, "blue first");
        assertEquals(0x22, mem.get((int) g.offset(2, 1) + 1) & 0xFF);
        assertEquals(0x11, mem.get((int) g.offset(2, 1) + 2) & 0xFF);
        assertEquals(0x33, mem.get((int) g.offset(4, 2)) & 0xFF);
        assertEquals(0, mem.get((int) g.offset(5, 2)), "right of the damage untouched");
        assertEquals(0, mem.get((int) g.offset(2, 3)), "below the damage untouched");
    }

    @Test
    void rgb565KeepsTheHighBitsOfEachChannel() throws IOException {
        FbGeometry g = FbGeometry.rgb565(4, 2);
        ByteBuffer mem = ByteBuffer.allocate((int) g.mappedLength());
        FramebufferSink sink = new FramebufferSink(g, mem);
        Frame f = frame(4, 2, 0xFFFF0000);
        f.pixels()[1] = 0xFF00FF00;
        f.pixels()[2] = 0xFF0000FF;
        f.pixels()[3] = 0xFF808080;
        sink.present(f, List.of(new Rect(0, 0, 4, 2)));
        ByteBuffer le = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xF800, le.getShort(0) & 0xFFFF);
        assertEquals(0x07E0, le.getShort(2) & 0xFFFF);
        assertEquals(0x001F, le.getShort(4) & 0xFFFF);
        assertEquals((16 << 11) | (32 << 5) | 16, le.getShort(6) & 0xFFFF);
    }

    @Test
    void otherLayoutsLinePaddingAndPanningAreHonoured() throws IOException {
        // 32 bpp with red in the low byte (XBGR), lines padded to 64 bytes, panned down 2 lines.
        FbGeometry g = new FbGeometry(10, 3, 32, new FbGeometry.Channel(0, 8), new FbGeometry.Channel(8, 8),
                new FbGeometry.Channel(16, 8), 64, 0, 2, 64 * 8);
        ByteBuffer mem = ByteBuffer.allocate(64 * 8);
        new FramebufferSink(g, mem).present(frame(10, 3, 0xFFAABBCC), List.of(new Rect(0, 0, 10, 3)));
        assertEquals(2 * 64, g.offset(0, 0));
        assertEquals(0xAA, mem.get(2 * 64) & 0xFF, "red in the low byte");
        assertEquals(0xCC, mem.get(2 * 64 + 2) & 0xFF);
        assertEquals(0, mem.get(2 * 64 + 40), "the padding after 10 pixels is not written");
        assertEquals(0, mem.get(0), "lines above the panned view untouched");
    }

    @Test
    void onXrgb8888TheCompositorDrawsIntoTheDeviceAndTheSourceNeverUnderTheBanner() throws IOException {
        // Lines padded to 1000 pixels, panned down 3 lines: the frame must follow the device's layout.
        int w = 640;
        int h = 400;
        FbGeometry g = new FbGeometry(w, h, 32, new FbGeometry.Channel(16, 8), new FbGeometry.Channel(8, 8),
                new FbGeometry.Channel(0, 8), 4000, 0, 3, 4000L * (h + 3));
        ByteBuffer mem = ByteBuffer.allocateDirect((int) g.memoryLength());
        FramebufferSink sink = new FramebufferSink(g, mem);
        Frame frame = sink.createFrame();
        assertTrue(frame.inSinkMemory(), "XRGB8888 is drawn in place");
        FrameBuffer fb = new FrameBuffer();
        fb.resize(w, h);
        fill(fb, 0x204060);
        Compositor c = new Compositor(frame, new IndicatorStyle(Duration.ofSeconds(5), 2));
        VmLabel label = new VmLabel(2, "Mail", 0xC03030);
        sink.present(frame, c.show(new Content.Live(label, fb), true));
        ByteBuffer le = mem.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Rect banner = c.bannerRect();
        assertEquals(0x204060, le.getInt((int) g.offset(100, 300)) & 0xFFFFFF, "the source, in the device");
        assertEquals(0xC03030, le.getInt((int) g.offset(0, 0)) & 0xFFFFFF, "the border");
        assertEquals(0xC03030, le.getInt((int) g.offset(banner.x() + 1, banner.y() + 1)) & 0xFFFFFF, "the banner");
        assertEquals(0, le.getInt(0), "lines above the panned view untouched");

        // The guest repaints everything, under the banner and the border too: they stay.
        fill(fb, 0x00FF00);
        List<Rect> out = c.update(List.of(fb.surface().bounds()));
        sink.present(frame, out);
        assertEquals(0x00FF00, le.getInt((int) g.offset(100, 300)) & 0xFFFFFF);
        assertEquals(0xC03030, le.getInt((int) g.offset(1, 200)) & 0xFFFFFF, "the border stays");
        assertEquals(0xC03030, le.getInt((int) g.offset(banner.x() + 1, banner.y() + 1)) & 0xFFFFFF,
                "the banner stays");
        for (Rect r : out) {
            assertTrue(!r.intersects(banner), "no source pixels written under the banner: " + r);
        }
        c.hideBanner();
        assertEquals(0x00FF00, le.getInt((int) g.offset(banner.x() + 1, banner.y() + 1)) & 0xFFFFFF,
                "once hidden, the source shows where the banner was");
    }

    @Test
    void unsupportedDevicesAreRefusedWithTheReason() {
        FbGeometry palette = new FbGeometry(640, 480, 8, new FbGeometry.Channel(0, 8), new FbGeometry.Channel(0, 8),
                new FbGeometry.Channel(0, 8), 640, 0, 0, 640 * 480);
        IOException e = assertThrows(IOException.class, () -> new FramebufferSink(palette, ByteBuffer.allocate(640 * 480)));
        assertTrue(e.getMessage().contains("8 bits per pixel"), e.getMessage());
        FbGeometry g = FbGeometry.xrgb8888(100, 100);
        IOException small = assertThrows(IOException.class, () -> new FramebufferSink(g, ByteBuffer.allocate(100)));
        assertTrue(small.getMessage().contains("smaller"), small.getMessage());
        IOException missing = assertThrows(IOException.class, () -> FramebufferSink.open("/dev/no-such-fb"));
        assertTrue(missing.getMessage().contains("/dev/no-such-fb"), missing.getMessage());
    }

    /** Every pixel of {@code fb} to {@code xrgb}. */
    private static void fill(FrameBuffer fb, int xrgb) {
        for (int i = 0; i < fb.width() * fb.height(); i++) {
            fb.surface().pixels().put(i, xrgb);
        }
    }
}
