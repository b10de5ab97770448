package org.polydesk.display.testing;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.rfb.ServerInfo;
import org.polydesk.display.source.RfbSource;
import org.polydesk.display.source.SourceListener;

/**
 * Records what a source reports: a tear-free copy of the frame after each complete update (taken
 * on the decoder thread, where nothing writes meanwhile), and connected/disconnected events.
 */
public class SourceWatcher implements SourceListener {
    /** A copy of a whole frame. */
    public record Frame(int width, int height, int[] pixels, long serial) {
        public int pixel(int x, int y) {
            return pixels[y * width + x];
        }
    }

    public final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final AtomicLong frames = new AtomicLong();
    private volatile Frame latest;
    private volatile IOException lastReason;

    @Override
    public void connected(RfbSource source, ServerInfo info) {
        events.add("connected");
    }

    @Override
    public void disconnected(RfbSource source, IOException reason) {
        lastReason = reason;
        events.add("disconnected");
    }

    @Override
    public void frameUpdated(RfbSource source) {
        FrameBuffer fb = source.frameBuffer();
        latest = new Frame(fb.width(), fb.height(), fb.copyPixels(), frames.incrementAndGet());
    }

    public Frame latest() {
        return latest;
    }

    public IOException lastReason() {
        return lastReason;
    }

    /** Waits for the event {@code name}, skipping others; fails after {@code seconds}. */
    public void await(String name, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String e = events.poll(100, TimeUnit.MILLISECONDS);
            if (name.equals(e)) {
                return;
            }
        }
        throw new AssertionError("no '" + name + "' event within " + seconds + " s");
    }
}
