package org.polydesk.display.sink;

import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.OutputScale;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.DrmCard;
import org.polydesk.display.linux.DrmHead;
import org.polydesk.display.linux.Uevents;

/**
 * The monitors of one DRM card driven by kernel mode setting (i915, amdgpu, nouveau, virtio-gpu,
 * bochs): each connected one is a head ({@link #heads}) with a CRTC and two dumb buffers of its own.
 * The compositor draws into the buffer that is not on the screen, which is then flipped on at
 * vertical blank (no tearing, no copy of the frame); the flips of all heads are asked for before
 * any is waited for, so that they are done at one vertical blank. The buffer drawn into is a frame behind:
 * before it is flipped on, what the frame on the screen changed is copied into it from there,
 * except where the new frame was just drawn, so each frame needs only its own damage drawn and a
 * full frame is never copied twice.
 *
 * <p>DRM master is the card's: while another process has it (a lost master, or the kernel's
 * console that has the screen) frames are dropped on every head; once it is back each head's next
 * frame is composed whole. A watch looks at the connectors at each of the kernel's hot-plug uevents
 * and every ten seconds besides (the kernel's last word, no probe): when a monitor is plugged or
 * unplugged the heads are laid out again ({@link #frameOutdated} is true and {@link #heads} answers
 * the new ones), and with none left frames wait until one comes.
 * Used as one sink, it is its first head.
 */
public final class KmsSink implements Sink {
    private static final Logger LOG = Logger.getLogger(KmsSink.class.getName());
    /** Longer than a frame of the slowest monitor (24 Hz); a flip not done by then is logged. */
    private static final int FLIP_TIMEOUT_MS = 200;
    private static final long RETRY_NANOS = 1_000_000_000L;

    /** How often the connectors are looked at without a uevent (the kernel's last word, no probe). */
    private static final int LOOK_MS = 1000;
    /**
     * How often they are looked at while the kernel's uevents are heard: those tell of a monitor
     * plugged in or unplugged; the look catches what they do not (a status forced through sysfs).
     */
    private static final int LOOK_BESIDES_UEVENTS_MS = 10_000;
    /** The stall of a card with no monitor connected: the watch looks for one coming. */
    private static final String NO_MONITOR = "no monitor connected";

    private final DrmCard card;
    /** The monitors driven, in the card's connector order; replaced whole when they change. */
    private volatile List<Head> heads = List.of();
    /** The first head, kept while none is connected so that the sink still has a size. */
    private volatile Head primary;
    /** Why frames cannot be shown now (master lost, a failed flip, no monitor); null while they can. */
    private volatile String stalled;
    private long retryAt;
    /** The kernel's console has the screen (we dropped master for it). */
    private volatile boolean yielded;
    /** The connectors connected when the heads were last laid out: the watch looks for a change from these. */
    private volatile Set<Integer> laidOutFor;
    /** A monitor came or went: the heads are laid out again on the compositor's thread. */
    private volatile boolean relayout;
    /** Asks the server for a frame, so that a stalled sink is retried on an idle desktop too. */
    private volatile Runnable repaint = () -> { };
    private final Thread watcher;
    /** How long the watch waits for a uevent before it looks anyway (without uevents: {@link #LOOK_MS}). */
    private final int lookMs;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kms-watch");
        t.setDaemon(true);
        return t;
    });

    /** One monitor: its connector and CRTC, its two buffers, the frame drawn into. */
    public final class Head implements Sink {
        private final DrmHead head;
        private final DrmCard.DumbBuffer[] buffers = new DrmCard.DumbBuffer[2];
        private final IntBuffer[] pixels = new IntBuffer[2];
        private Frame frame;
        /** The buffer on the screen. */
        private int front;
        /** What the frame on the screen changed: the buffer behind still lacks it. */
        private List<Rect> previousDamage = List.of();
        /** A flip was asked for and not seen done: the buffer behind may still be on the screen. */
        private boolean flipping;

        /** Makes the two buffers, shows the first (black) and has the compositor draw into the second. */
        private Head(DrmHead head) throws IOException {
            this.head = head;
            int w = head.mode().width();
            int h = head.mode().height();
            try {
                for (int i = 0; i < 2; i++) {
                    buffers[i] = card.createDumb(w, h);
                    pixels[i] = buffers[i].memory().asIntBuffer();
                    for (int p = 0; p < pixels[i].limit(); p++) {
                        pixels[i].put(p, 0);
                    }
                }
                card.setCrtc(head, buffers[0]);
            } catch (IOException | RuntimeException e) {
                release();
                throw e;
            }
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

        DrmHead drm() {
            return head;
        }

        @Override
        public String name() {
            return head.name();
        }

        @Override
        public int width() {
            return head.mode().width();
        }

        @Override
        public int height() {
            return head.mode().height();
        }

        /** From the monitor's pixel density (its size in millimetres, from its EDID). */
        @Override
        public double scale() {
            return OutputScale.of(head.mode().width(), head.widthMm());
        }

        @Override
        public String pciDevice() {
            return KmsSink.this.pciDevice();
        }

        /** The buffer behind the screen, as a frame that moves to the other buffer after each flip. */
        @Override
        public Frame createFrame() {
            return frame;
        }

        @Override
        public void present(Frame composed, List<Rect> damage) throws IOException {
            if (stalled != null || yielded || buffers[front] == null) {
                return;
            }
            awaitDrawable(); // the next flip may be asked for only once the last is done
            int back = 1 - front;
            // The buffer behind is a frame behind: it lacks what the frame on the screen changed,
            // except where this frame was just drawn over it (a full frame needs no copy at all).
            copyUncovered(previousDamage, damage, pixels[front], pixels[back], buffers[front].pitch() / 4, width(), height());
            try {
                card.pageFlip(head, buffers[back]);
            } catch (DrmCard.DrmException e) {
                stall(e.masterLost() ? "another process is DRM master of " + card.path() : head.name() + ": " + e.getMessage());
                return;
            }
            // Not waited for here: the other monitors' flips are asked for meanwhile, and all are
            // done at the same vertical blank; the compositor waits before it draws again.
            flipping = true;
            front = back;
            previousDamage = List.copyOf(damage);
            composed.retarget(pixels[1 - front]);
        }

        /** Returns once the buffer drawn into is off the screen: the flip asked for last is done (or given up). */
        @Override
        public void awaitDrawable() throws IOException {
            if (!flipping) {
                return;
            }
            flipping = false;
            if (!card.awaitFlip(head.crtcId(), FLIP_TIMEOUT_MS)) {
                // Drawing on goes into the buffer that may still be on the screen: a torn frame at worst.
                LOG.warning(() -> head.name() + " did not flip within " + FLIP_TIMEOUT_MS + " ms");
            }
        }

        /** Puts the buffer that was on the screen back on it (with master held). */
        private void showFront() throws IOException {
            card.setCrtc(head, buffers[front]);
        }

        @Override
        public String describe() {
            return "kms " + card.path() + " " + head + ", page flips, scale " + scale();
        }
    }

    private KmsSink(DrmCard card, List<DrmHead> connected, Set<Integer> connectedIds, int lookMs) throws IOException {
        this.card = card;
        this.lookMs = lookMs;
        this.laidOutFor = connectedIds;
        List<Head> driven = new ArrayList<>();
        try {
            for (DrmHead h : connected) {
                driven.add(new Head(h));
            }
        } catch (IOException | RuntimeException e) {
            driven.forEach(Head::release);
            throw e;
        }
        heads = List.copyOf(driven);
        primary = driven.get(0);
        watcher = new Thread(this::watchLoop, "kms-hotplug");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Looks at the connectors at each of the kernel's DRM uevents (a monitor plugged in or
     * unplugged), and every ten seconds besides (a connector's status forced through sysfs sends no
     * uevent); a process that may not join the uevent group looks each second.
     */
    private void watchLoop() {
        Uevents events = null;
        try {
            events = Uevents.open();
        } catch (IOException e) {
            LOG.info(() -> "monitors are looked for each second: " + e.getMessage());
        }
        try {
            while (!Thread.currentThread().isInterrupted()) {
                boolean told = false;
                if (events != null) {
                    told = events.await(lookMs);
                } else {
                    Thread.sleep(LOOK_MS);
                }
                watch(told);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "the hot-plug watch of " + card.path() + " stopped: " + e.getMessage());
        } finally {
            if (events != null) {
                events.close();
            }
        }
    }

    /**
     * On the watch thread: a monitor plugged in or unplugged since the last layout. (Compared with
     * what was connected then, not with what is driven: a monitor that cannot be driven, for want
     * of a CRTC, would otherwise have the connectors probed every second.)
     */
    private void watch(boolean told) {
        if (!card.connectedIds().equals(laidOutFor)) {
            LOG.info(() -> "the monitors of " + card.path() + " changed (" + (told ? "the kernel's uevent" : "seen on a look") + ")");
            relayout = true;
            repaint.run();
        }
    }

    /** Opens {@code device} (/dev/dri/cardN) and drives each connected monitor in its preferred mode. */
    public static KmsSink open(String device) throws IOException {
        return open(device, LOOK_BESIDES_UEVENTS_MS);
    }

    /** As above, looking at the monitors every {@code lookMs} besides at each uevent (a test's, to see the uevents alone). */
    static KmsSink open(String device, int lookMs) throws IOException {
        DrmCard card = DrmCard.open(device);
        try {
            Set<Integer> ids = card.connectedIds();
            List<DrmHead> connected = card.heads();
            if (connected.isEmpty()) {
                throw new IOException("no monitor is connected to " + device);
            }
            return new KmsSink(card, connected, ids, lookMs);
        } catch (IOException | RuntimeException e) {
            card.close();
            throw e;
        }
    }

    /** The monitors driven now, in the card's connector order; empty while none is connected. */
    @Override
    public List<Sink> heads() {
        return List.copyOf(heads);
    }

    @Override
    public String name() {
        return primary.name();
    }

    @Override
    public int width() {
        return primary.width();
    }

    @Override
    public int height() {
        return primary.height();
    }

    /** The card's PCI device, from sysfs. */
    @Override
    public String pciDevice() {
        return SysfsDevice.pciAddress(Path.of("/sys/class/drm").resolve(Path.of(card.path()).getFileName()));
    }

    @Override
    public double scale() {
        return primary.scale();
    }

    @Override
    public Frame createFrame() {
        return primary.createFrame();
    }

    @Override
    public void present(Frame composed, List<Rect> damage) throws IOException {
        primary.present(composed, damage);
    }

    @Override
    public void awaitDrawable() throws IOException {
        primary.awaitDrawable();
    }

    /**
     * True when every head's next frame must be composed whole into its {@link #createFrame}, and
     * {@link #heads} asked again: frames can be shown again after they could not, or the monitors
     * changed.
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
        if (heads.isEmpty()) {
            return false; // no monitor: the watch lays the heads out again when one comes
        }
        try {
            showFront();
        } catch (IOException e) {
            retries.schedule(() -> repaint.run(), 1, TimeUnit.SECONDS); // still not ours; again in a second
            return false;
        }
        LOG.info(() -> "showing frames on " + card.path() + " again (" + stalled + ")");
        stalled = null;
        return true;
    }

    /** Drives the connected monitors: those driven until now are kept as they are, if their mode is. */
    private boolean layOutAgain() {
        List<DrmHead> connected;
        try {
            laidOutFor = card.connectedIds();
            connected = card.heads();
        } catch (IOException e) {
            stall(e.getMessage());
            return false;
        }
        List<Head> next = new ArrayList<>();
        List<Head> kept = new ArrayList<>();
        for (DrmHead d : connected) {
            Head old = heads.stream().filter(h -> h.head.connectorId() == d.connectorId()
                    && h.head.mode().toString().equals(d.mode().toString()) && h.head.crtcId() == d.crtcId()).findFirst().orElse(null);
            if (old != null) {
                next.add(old);
                kept.add(old);
                continue;
            }
            try {
                Head made = new Head(d);
                next.add(made);
                LOG.info(() -> "monitor " + d + " came: showing on it");
            } catch (IOException e) {
                LOG.warning(() -> "cannot drive " + d + ": " + e.getMessage());
            }
        }
        for (Head h : heads) {
            if (!kept.contains(h)) {
                h.release();
                LOG.info(() -> "monitor " + h.head.name() + " went");
            }
        }
        boolean changed = !next.equals(heads);
        heads = List.copyOf(next);
        if (next.isEmpty()) {
            stall(NO_MONITOR);
            return changed;
        }
        primary = next.get(0);
        if (NO_MONITOR.equals(stalled)) {
            stalled = null;
        }
        return changed;
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
            LOG.warning(() -> "frames are not shown on " + card.path() + " now: " + why);
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
        if (heads.isEmpty()) {
            return;
        }
        try {
            showFront();
        } catch (IOException e) {
            stall(e.getMessage());
        }
    }

    /** Takes DRM master and puts each head's buffer that was on the screen back on it. */
    private void showFront() throws IOException {
        card.setMaster();
        for (Head h : heads) {
            h.showFront();
        }
    }

    @Override
    public String describe() {
        List<Head> now = heads;
        return now.size() == 1 ? now.get(0).describe()
                : "kms " + card.path() + " " + now.stream().map(h -> h.head.toString()).toList() + ", page flips";
    }

    /** Closing the card frees the buffers, and the kernel gives its console the screen again. */
    @Override
    public void close() {
        retries.shutdownNow();
        watcher.interrupt();
        heads.forEach(Head::release);
        card.close();
    }
}
