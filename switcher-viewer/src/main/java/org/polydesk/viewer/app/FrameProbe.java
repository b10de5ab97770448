package org.polydesk.viewer.app;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.viewer.session.ViewerSession;

/**
 * The viewer without a window (--probe): follows the channel as the window does and, for each
 * new frame it reads from the region, prints one line,
 * {@code frame SERIAL buffer B crc32 HEX}, the CRC-32 of the buffer's pixels as they lie in
 * memory (little-endian 0xFFRRGGBB words). For checking the channel and the region of a VM
 * without a desktop, e.g. over ssh; the Xen system test compares these lines with what dom0
 * wrote.
 */
final class FrameProbe implements ViewerSession.Screen {
    private final FrameRegion region;
    private final PrintStream out;
    private final CountDownLatch remaining;
    private long shownSerial;

    FrameProbe(FrameRegion region, PrintStream out, int frames) {
        this.region = region;
        this.out = out;
        this.remaining = new CountDownLatch(frames);
    }

    /** Waits until {@code frames} frames were read; false when the time ran out first. */
    boolean await(long seconds) throws InterruptedException {
        return remaining.await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void show() {
        // nothing to show: the frames are checked, not seen
    }

    @Override
    public void hide() {
        // likewise
    }

    @Override
    public synchronized void frame(ViewerMessage.Frame notice) {
        FrameRegion.Published p = region.latest();
        if (p == null || p.serial() == shownSerial) {
            return;
        }
        region.showing(p.buffer()); // as the window does: dom0 leaves this buffer alone while we read it
        out.printf("frame %d buffer %d crc32 %08x%n", p.serial(), p.buffer(), crc32(region.pixels(p.buffer())));
        out.flush();
        shownSerial = p.serial();
        remaining.countDown();
    }

    static long crc32(IntBuffer pixels) {
        ByteBuffer bytes = ByteBuffer.allocate(pixels.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(pixels.duplicate());
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    @Override
    public void cursor(ViewerMessage.Cursor cursor) {
        // no pointer to draw
    }
}
