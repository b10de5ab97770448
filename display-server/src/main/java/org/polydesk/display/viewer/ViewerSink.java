package org.polydesk.display.viewer;

import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.Pointer;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.viewer.DamageRect;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerChannel;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * The sink while a passthrough VM owns the monitor: composed frames go into the frame region of
 * the switcher viewer inside that VM, announced over the viewer channel; the viewer is hidden
 * while the passthrough VM itself has focus. Each buffer of the region remembers what changed
 * since it was last written, so a frame rewrites only that. A viewer whose screen differs from
 * ours gets the frame scaled (nearest pixel), whole. A region is given up (for granted pages:
 * unmapped) under the sink's lock, so never while a frame is being written into it.
 *
 * <p>The pointer is the viewer's to draw, as an image over the frames (CURSOR): a move costs a
 * few bytes on the channel instead of a frame. Its shape crosses once per change (and again to a
 * viewer that says HELLO), moves carry the place only, in the viewer's screen coordinates; no
 * pointer is visible=false. A shape larger than the channel carries (64×64) is left to the
 * compositor, which draws it into the frames.
 */
public final class ViewerSink implements Sink, ViewerLink.Listener {
    private static final Logger LOG = Logger.getLogger(ViewerSink.class.getName());

    private final int width;
    private final int height;
    private final int passthroughSlot;
    private final ViewerLink link;
    private Runnable repaint = () -> { };
    // under the sink's lock: the region the link mapped last, and the one frames go into
    private MappedRegion attached;
    private MappedRegion inUse;
    private boolean closed;
    // under the sink's lock: the pointer the viewer was told of last, the shape it holds, and
    // whether a viewer attached since (it must be told again, shape and all)
    private Pointer pointerTold;
    private CursorShape shapeTold;
    private boolean pointerStale;
    // the compositor's thread only
    private FrameRegion region;
    private List<Rect>[] stale;
    private int current;
    private long serial;

    private ViewerSink(int width, int height, int passthroughSlot, Path channel, RegionMapper regions, Backoff backoff) {
        this.width = width;
        this.height = height;
        this.passthroughSlot = passthroughSlot;
        this.link = new ViewerLink(channel, regions, backoff, this);
    }

    /**
     * Composes at {@code width}×{@code height} for the viewer on {@code channel}, whose region
     * {@code regions} maps; focus on {@code passthroughSlot} (-1: none) hides the viewer.
     */
    public static ViewerSink open(int width, int height, int passthroughSlot, Path channel, RegionMapper regions,
                                  Backoff backoff) {
        ViewerSink sink = new ViewerSink(width, height, passthroughSlot, channel, regions, backoff);
        sink.link.start();
        return sink;
    }

    private volatile double scale = 1;
    private volatile boolean scaleChanged;

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public void focused(int slot) {
        link.setVisible(slot != passthroughSlot);
    }

    @Override
    public void onRepaintNeeded(Runnable repaint) {
        this.repaint = repaint;
    }

    /** The viewer's own scale (its OS's, from its HELLO): the indicator and labels are drawn at it. */
    @Override
    public double scale() {
        return scale;
    }

    /** True once after a viewer with another scale said HELLO: the compositor is made again at it. */
    @Override
    public boolean frameOutdated() {
        boolean changed = scaleChanged;
        scaleChanged = false;
        return changed;
    }

    @Override
    public void attached(MappedRegion mapped, double viewerScale) {
        synchronized (this) {
            if (closed) {
                mapped.close();
                return;
            }
            if (viewerScale != scale) {
                scale = viewerScale;
                scaleChanged = true;
            }
            replaceAttached(mapped);
            shapeTold = null; // a new viewer, or one that started again: it has no shape
            pointerStale = true;
        }
        repaint.run();
    }

    @Override
    public synchronized void detached(String reason) {
        replaceAttached(null);
    }

    @Override
    public synchronized boolean showPointer(Pointer pointer) {
        boolean fits = pointer == null || (pointer.shape().width() <= ViewerChannel.MAX_CURSOR_SIDE
                && pointer.shape().height() <= ViewerChannel.MAX_CURSOR_SIDE);
        Pointer shown = fits ? pointer : null;
        if (pointerStale || !Objects.equals(shown, pointerTold)) {
            pointerTold = shown;
            pointerStale = false;
            link.cursorReady(cursorMessage(shown));
        }
        return fits;
    }

    private ViewerMessage.Cursor cursorMessage(Pointer p) {
        if (p == null) {
            return new ViewerMessage.Cursor(false, 0, 0, 0, 0, 0, 0, null);
        }
        // the viewer's screen may differ from ours: frames are scaled to it, so is the place
        FrameRegion r = attached == null ? null : attached.frames();
        int x = r == null ? p.x() : (int) ((long) p.x() * r.width() / width);
        int y = r == null ? p.y() : (int) ((long) p.y() * r.height() / height);
        CursorShape s = p.shape();
        if (s == shapeTold) {
            return new ViewerMessage.Cursor(true, x, y, s.hotX(), s.hotY(), 0, 0, null);
        }
        shapeTold = s;
        return new ViewerMessage.Cursor(true, x, y, s.hotX(), s.hotY(), s.width(), s.height(), s.argb());
    }

    /** The last region mapped is {@code mapped}: one never written into is given up now. */
    private void replaceAttached(MappedRegion mapped) {
        if (attached != null && attached != inUse) {
            attached.close();
        }
        attached = mapped;
    }

    @SuppressWarnings("unchecked")
    @Override
    public synchronized void present(Frame frame, List<Rect> damage) {
        if (attached != inUse) {
            if (inUse != null) {
                inUse.close();
            }
            inUse = attached;
            FrameRegion r = inUse == null ? null : inUse.frames();
            region = r;
            if (r != null) {
                stale = new List[r.buffers()];
                for (int i = 0; i < stale.length; i++) {
                    stale[i] = new ArrayList<>(List.of(new Rect(0, 0, r.width(), r.height())));
                }
                current = 0;
            }
        }
        if (region == null) {
            return;
        }
        boolean scaled = region.width() != frame.width() || region.height() != frame.height();
        List<Rect> changed = scaled ? List.of(new Rect(0, 0, region.width(), region.height())) : damage;
        for (List<Rect> s : stale) {
            for (Rect c : changed) {
                if (s.stream().noneMatch(old -> old.contains(c))) {
                    s.removeIf(c::contains);
                    s.add(c);
                }
            }
            if (s.size() > ViewerChannel.MAX_DAMAGE) {
                Rect all = s.get(0);
                for (Rect x : s) {
                    all = all.union(x);
                }
                s.clear();
                s.add(all);
            }
        }
        int target = region.nextBuffer(current);
        IntBuffer pixels = region.pixels(target);
        List<DamageRect> written = new ArrayList<>();
        try {
            for (Rect d : stale[target]) {
                Rect c = clip(d, region.width(), region.height());
                if (c.isEmpty()) {
                    continue;
                }
                if (scaled) {
                    copyScaled(frame, pixels, region.width(), region.height(), c);
                } else {
                    copy(frame, pixels, c);
                }
                written.add(new DamageRect(c.x(), c.y(), c.width(), c.height()));
            }
        } catch (InternalError e) {
            // the guest shrank its shared file under us (SIGBUS): drop the region, keep serving
            LOG.warning(() -> "the viewer's region vanished while writing (" + e.getMessage() + "); dropping it");
            inUse.close();
            attached = attached == inUse ? null : attached;
            inUse = null;
            region = null;
            return;
        }
        stale[target].clear();
        if (written.isEmpty()) {
            return;
        }
        current = target;
        serial++;
        region.publish(serial, target, written);
        link.frameReady(new ViewerMessage.Frame(serial, target, written.size() > ViewerChannel.MAX_DAMAGE
                ? List.of(DamageRect.bounds(written)) : written));
    }

    private static Rect clip(Rect r, int w, int h) {
        int x0 = Math.max(0, r.x());
        int y0 = Math.max(0, r.y());
        int x1 = Math.min(w, r.x() + r.width());
        int y1 = Math.min(h, r.y() + r.height());
        return new Rect(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }

    private static void copy(Frame frame, IntBuffer to, Rect r) {
        int[] px = frame.pixels();
        int w = frame.width();
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            to.put(y * w + r.x(), px, y * w + r.x(), r.width());
        }
    }

    private static void copyScaled(Frame frame, IntBuffer to, int toWidth, int toHeight, Rect r) {
        int[] px = frame.pixels();
        int[] row = new int[r.width()];
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            int sy = (int) ((long) y * frame.height() / toHeight);
            for (int x = 0; x < row.length; x++) {
                row[x] = px[sy * frame.width() + (int) ((long) (r.x() + x) * frame.width() / toWidth)];
            }
            to.put(y * toWidth + r.x(), row, 0, row.length);
        }
    }

    @Override
    public synchronized String describe() {
        FrameRegion r = attached == null ? null : attached.frames();
        return link.describe() + " " + width + "x" + height + (r == null ? ", no viewer yet"
                : ", viewer " + r.width() + "x" + r.height() + " with " + r.buffers() + " buffers");
    }

    @Override
    public void close() {
        link.close();
        synchronized (this) {
            closed = true;
            replaceAttached(null);
            if (inUse != null) {
                inUse.close();
                inUse = null;
                region = null;
            }
        }
    }
}
