package org.polydesk.display.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.List;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.linux.FbGeometry;
import org.polydesk.display.linux.FbScreen;
import org.polydesk.display.framebuffer.Rect;

/**
 * The Linux framebuffer (/dev/fb0). On an XRGB8888 device the compositor draws straight into the
 * mapped memory ({@link #createFrame()}), so nothing is copied afterwards; other layouts get their
 * damaged rows converted from a heap frame.
 */
public final class FramebufferSink implements Sink {
    private final FbScreen screen;
    private final FbGeometry g;
    private final ByteBuffer memory;
    private int[] row;
    /** The device memory as a frame, when the compositor can draw into it directly. */
    private final Frame mapped;

    /** Opens {@code device} (e.g. /dev/fb0). */
    public static FramebufferSink open(String device) throws IOException {
        FbScreen s = FbScreen.open(device);
        return new FramebufferSink(s, s.geometry(), s.memory());
    }

    /** A sink over any memory laid out as {@code geometry} says (tests use a heap buffer). */
    public FramebufferSink(FbGeometry geometry, ByteBuffer memory) throws IOException {
        this(null, geometry, memory);
    }

    private FramebufferSink(FbScreen screen, FbGeometry geometry, ByteBuffer memory) throws IOException {
        geometry.check();
        if (memory.capacity() < geometry.mappedLength()) {
            throw new IOException("the framebuffer memory is smaller than its geometry says");
        }
        this.screen = screen;
        this.g = geometry;
        this.memory = memory.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.row = new int[geometry.width()];
        long origin = geometry.offset(0, 0);
        this.mapped = geometry.isXrgb8888() && geometry.lineLength() % 4 == 0 && origin % 4 == 0
                ? Frame.inMemory(memory.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer(), (int) (origin / 4), geometry.lineLength() / 4,
                        geometry.width(), geometry.height())
                : null;
    }

    /** The mapped memory itself when the device is XRGB8888 with whole-pixel lines; else a heap frame. */
    @Override
    public Frame createFrame() {
        return mapped != null ? mapped : Sink.super.createFrame();
    }

    @Override
    public int width() {
        return g.width();
    }

    @Override
    public int height() {
        return g.height();
    }

    @Override
    public void present(Frame frame, List<Rect> damage) {
        if (frame == mapped) {
            return; // already there
        }
        int[] px = frame.pixels();
        int w = frame.width();
        for (Rect r : damage) {
            int left = Math.max(0, r.x());
            int right = Math.min(Math.min(w, g.width()), r.x() + r.width());
            int bottom = Math.min(Math.min(frame.height(), g.height()), r.y() + r.height());
            if (right <= left) {
                continue;
            }
            for (int y = Math.max(0, r.y()); y < bottom; y++) {
                int at = (int) g.offset(left, y);
                if (g.isXrgb8888()) {
                    // ARGB ints written little-endian are B, G, R, A: XRGB8888 as the device wants it.
                    IntBuffer ints = memory.position(at).slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
                    ints.put(px, y * w + left, right - left);
                } else if (g.bitsPerPixel() == 32) {
                    IntBuffer ints = memory.position(at).slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
                    for (int x = left; x < right; x++) {
                        row[x - left] = g.encode(px[y * w + x]);
                    }
                    ints.put(row, 0, right - left);
                } else {
                    ShortBuffer shorts = memory.position(at).slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
                    for (int x = left; x < right; x++) {
                        shorts.put((short) g.encode(px[y * w + x]));
                    }
                }
            }
        }
    }

    /** The PCI device of the framebuffer's card, from sysfs; null for one in memory. */
    @Override
    public String pciDevice() {
        return screen == null ? null
                : SysfsDevice.pciAddress(Path.of("/sys/class/graphics").resolve(Path.of(screen.path()).getFileName()));
    }

    @Override
    public String describe() {
        return "framebuffer " + (screen == null ? "(memory)" : screen.path()) + " " + g.width() + "x" + g.height()
                + ", " + g.bitsPerPixel() + " bpp";
    }

    @Override
    public void close() {
        if (screen != null) {
            screen.close();
        }
    }
}
