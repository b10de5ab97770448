package org.polydesk.display.sink;

import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.OutputScale;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.DrmCard;
import org.polydesk.display.linux.DrmHead;

/**
 * A monitor driven by kernel mode setting (a DRM card: i915, amdgpu, nouveau, virtio-gpu, bochs).
 * Two dumb buffers: the compositor draws into the one not on the screen, which is then flipped on
 * at vertical blank (no tearing, no copy of the frame). The buffer drawn into is a frame behind:
 * before it is flipped on, what the frame on the screen changed is copied into it from there,
 * except where the new frame was just drawn, so each frame needs only its own damage drawn and a
 * full frame is never copied twice.
 *
 * <p>While another process is DRM master (a lost master, or the kernel's console that has the
 * screen), frames are dropped; once master is back the next frame is composed whole. The first
 * connected monitor is the one driven; the others are named in the log. When it is unplugged the
 * next connected one is driven, in its own mode (the frame is made again at its size), and with
 * none left frames are dropped until one is plugged in.
 */
public final class KmsSink implements Sink {
    private static final Logger LOG = Logger.getLogger(KmsSink.class.getName());
    /** Longer than a frame of the slowest monitor (24 Hz); a flip not done by then is logged. */
    private static final int FLIP_TIMEOUT_MS = 200;
    private static final long RETRY_NANOS = 1_000_000_000L;

    /** How often the driven monitor is looked at (the kernel's last word, no probe). */
    private static final long WATCH_SECONDS = 1;
    /** The stall of a card with no monitor connected: the watch looks for one coming. */
    private static final String NO_MONITOR = "no monitor connected";

    private final DrmCard card;
    /** The monitor driven, its two buffers and the frame drawn into: made again when it goes. */
    private volatile DrmHead head;
    private final DrmCard.DumbBuffer[] buffers = new DrmCard.DumbBuffer[2];
    private final IntBuffer[] pixels = new IntBuffer[2];
    private Frame frame;
    /** The buffer on the screen. */
    private int front;
    /** What the frame on the screen changed: the buffer behind still lacks it. */
    private List<Rect> previousDamage = List.of();
    /** Why frames cannot be shown now (master lost, a failed flip, no monitor); null while they can. */
    private volatile String stalled;
    private long retryAt;
    /** The kernel's console has the screen (we dropped master for it). */
    private boolean yielded;
    /** The driven monitor went (or, with none, one came): the heads are laid out again on the compositor's thread. */
    private volatile boolean relayout;
    /** Asks the server for a frame, so that a stalled sink is retried on an idle desktop too. */
    private volatile Runnable repaint = () -> { };
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kms-watch");
        t.setDaemon(true);
        return t;
    });

    private KmsSink(DrmCard card, DrmHead head) throws IOException {
        this.card = card;
        drive(head);
        retries.scheduleWithFixedDelay(this::watch, WATCH_SECONDS, WATCH_SECONDS, TimeUnit.SECONDS);
    }

    /** Makes {@code next}'s two buffers, shows the first (black) on it and has the compositor draw into the second. */
    private void drive(DrmHead next) throws IOException {
        int w = next.mode().width();
        int h = next.mode().height();
        try {
            for (int i = 0; i < 2; i++) {
                buffers[i] = card.createDumb(w, h);
                pixels[i] = buffers[i].memory().asIntBuffer();
                for (int p = 0; p < pixels[i].limit(); p++) {
                    pixels[i].put(p, 0);
                }
            }
            card.setCrtc(next, buffers[0]);
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
        head = next;
        front = 0;
        previousDamage = List.of();
        frame = Frame.inMemory(pixels[1], 0, buffers[1].pitch() / 4, w, h);
    }

    private void release() {
        for (int i = 0; i < 2; i++) {
            if (buffers[i] != null) {
                card.destroy(buffers[i]);
                buffers[i] = null;
                pixels[i] = null;
            }
        }
    }

    /** On the watch thread: the driven monitor unplugged, or a monitor back while none was. */
    private void watch() {
        boolean gone = !card.connected(head.connectorId());
        if (gone || NO_MONITOR.equals(stalled)) {
            relayout = true;
            repaint.run();
        }
    }

    /** Opens {@code device} (/dev/dri/cardN) and drives its first connected monitor in its preferred mode. */
    public static KmsSink open(String device) throws IOException {
        DrmCard card = DrmCard.open(device);
        try {
            List<DrmHead> heads = card.heads();
            if (heads.isEmpty()) {
                throw new IOException("no monitor is connected to " + device);
            }
            if (heads.size() > 1) {
                LOG.info(() -> device + " has " + heads.size() + " monitors: " + heads + "; only " + heads.get(0).name()
                        + " is driven");
            }
            return new KmsSink(card, heads.get(0));
        } catch (IOException | RuntimeException e) {
            card.close();
            throw e;
        }
    }

    @Override
    public int width() {
        return head.mode().width();
    }

    @Override
    public int height() {
        return head.mode().height();
    }

    /** The card's PCI device, from sysfs. */
    @Override
    public String pciDevice() {
        return SysfsDevice.pciAddress(Path.of("/sys/class/drm").resolve(Path.of(card.path()).getFileName()));
    }

    /** From the monitor's pixel density (its size in millimetres, from its EDID). */
    @Override
    public double scale() {
        return OutputScale.of(head.mode().width(), head.widthMm());
    }

    /** The buffer behind the screen, as a frame that moves to the other buffer after each flip. */
    @Override
    public Frame createFrame() {
        return frame;
    }

    /**
     * True when the next frame must be composed whole into {@link #createFrame}: frames can be
     * shown again after they could not, or the monitor driven changed (its size may have too).
     */
    @Override
    public boolean frameOutdated() {
        if (relayout && !yielded) {
            relayout = false;
            return layOutAgain();
        }
        if (stalled == null || yielded || System.nanoTime() - retryAt < 0) {
            return false;
        }
        retryAt = System.nanoTime() + RETRY_NANOS;
        if (buffers[front] == null) {
            return false; // no monitor: the watch lays the heads out again when one comes
        }
        try {
            showFront();
        } catch (IOException e) {
            retries.schedule(() -> repaint.run(), 1, TimeUnit.SECONDS); // still not ours; again in a second
            return false;
        }
        LOG.info(() -> "showing frames on " + head.name() + " again (" + stalled + ")");
        stalled = null;
        return true;
    }

    /** Drives the first connected monitor: the one driven until now if it is still there. */
    private boolean layOutAgain() {
        List<DrmHead> heads;
        try {
            heads = card.heads();
        } catch (IOException e) {
            stall(e.getMessage());
            return false;
        }
        DrmHead next = heads.stream().filter(h -> h.connectorId() == head.connectorId()).findFirst()
                .orElse(heads.isEmpty() ? null : heads.get(0));
        if (next == null) {
            stall(NO_MONITOR);
            return false;
        }
        if (next.connectorId() == head.connectorId() && next.mode().toString().equals(head.mode().toString())
                && buffers[0] != null && stalled == null) {
            return false;
        }
        DrmHead old = head;
        release();
        try {
            drive(next);
        } catch (IOException e) {
            stall("cannot drive " + next + ": " + e.getMessage());
            return false;
        }
        stalled = null;
        LOG.info(() -> next.connectorId() == old.connectorId() ? "showing on " + next + " again"
                : "monitor " + old.name() + " went: showing on " + next);
        return true;
    }

    @Override
    public void present(Frame composed, List<Rect> damage) throws IOException {
        if (stalled != null || yielded) {
            return;
        }
        int back = 1 - front;
        // The buffer behind is a frame behind: it lacks what the frame on the screen changed,
        // except where this frame was just drawn over it (a full frame needs no copy at all).
        copyUncovered(previousDamage, damage, pixels[front], pixels[back], buffers[front].pitch() / 4, width(), height());
        try {
            card.pageFlip(head, buffers[back]);
        } catch (DrmCard.DrmException e) {
            stall(e.masterLost() ? "another process is DRM master of " + card.path() : e.getMessage());
            return;
        }
        if (!card.awaitFlip(head.crtcId(), FLIP_TIMEOUT_MS)) {
            // Drawing on goes into the buffer that may still be on the screen: a torn frame at worst.
            LOG.warning(() -> head.name() + " did not flip within " + FLIP_TIMEOUT_MS + " ms");
        }
        front = back;
        previousDamage = List.copyOf(damage);
        composed.retarget(pixels[1 - front]);
    }

    /**
     * Copies, row by row, the parts of {@code rects} that no rectangle of {@code drawn} covers,
     * from {@code from} to {@code to} (both {@code stride} pixels a row, {@code width} x {@code height} used).
     */
    static void copyUncovered(List<Rect> rects, List<Rect> drawn, IntBuffer from, IntBuffer to, int stride, int width,
            int height) {
        int[] spans = new int[2 * drawn.size()];
        for (Rect r : rects) {
            int left = Math.max(0, r.x());
            int right = Math.min(width, r.x() + r.width());
            int bottom = Math.min(height, r.y() + r.height());
            for (int y = Math.max(0, r.y()); y < bottom && left < right; y++) {
                int n = 0;
                for (Rect d : drawn) {
                    if (y >= d.y() && y < d.y() + d.height() && d.x() < right && d.x() + d.width() > left) {
                        spans[n++] = d.x();
                        spans[n++] = d.x() + d.width();
                    }
                }
                copySpans(y * stride, left, right, spans, n, from, to);
            }
        }
    }

    /** Copies [left, right) of the row at {@code row} except the {@code n / 2} spans covered (start, end pairs). */
    private static void copySpans(int row, int left, int right, int[] covered, int n, IntBuffer from, IntBuffer to) {
        int x = left;
        while (x < right) {
            // the covered span holding x, if any: skip past it
            int skipTo = x;
            for (int i = 0; i < n; i += 2) {
                if (covered[i] <= x && covered[i + 1] > skipTo) {
                    skipTo = covered[i + 1];
                }
            }
            if (skipTo > x) {
                x = skipTo;
                continue;
            }
            // else copy up to the next covered span's start
            int end = right;
            for (int i = 0; i < n; i += 2) {
                if (covered[i] > x && covered[i] < end) {
                    end = covered[i];
                }
            }
            to.put(row + x, from, row + x, end - x);
            x = end;
        }
    }

    private void stall(String why) {
        if (stalled == null) {
            LOG.warning(() -> "frames are not shown on " + head.name() + " now: " + why);
        }
        stalled = why;
        retryAt = System.nanoTime() + RETRY_NANOS;
        retries.schedule(() -> repaint.run(), 1, TimeUnit.SECONDS);
    }

    @Override
    public void onRepaintNeeded(Runnable repaint) {
        this.repaint = repaint;
    }

    /** The kernel's console takes the screen: its framebuffer (the DRM driver's emulation) may draw once we are not master. */
    @Override
    public void yieldToConsole() {
        yielded = true;
        if (!card.dropMaster()) {
            LOG.warning(() -> "could not drop DRM master of " + card.path() + " for the console");
        }
    }

    @Override
    public void backFromConsole() {
        yielded = false;
        if (buffers[front] == null) {
            return;
        }
        try {
            showFront();
        } catch (IOException e) {
            stall(e.getMessage());
        }
    }

    /** Takes DRM master and puts the buffer that was on the screen back on it. */
    private void showFront() throws IOException {
        card.setMaster();
        card.setCrtc(head, buffers[front]);
    }

    @Override
    public String describe() {
        return "kms " + card.path() + " " + head + ", page flips, scale " + scale();
    }

    /** Closing the card frees the buffers, and the kernel gives its console the screen again. */
    @Override
    public void close() {
        retries.shutdownNow();
        release();
        card.close();
    }
}
