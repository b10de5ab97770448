package org.polydesk.display.viewer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.polydesk.display.bus.Passthrough;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.sink.Sink;
import org.polydesk.display.source.Backoff;

/**
 * The sink of whoever owns the monitor: dom0's own (the framebuffer) until a VM with a GPU by
 * passthrough starts; then that VM's switcher viewer, and dom0's sink is closed, since its
 * framebuffer goes with the card. When the VM stops, dom0's sink is opened again (retried each
 * second until the console is back). Switches wait for a frame being shown, never the reverse.
 */
public final class MonitorSink implements Sink, Passthrough {
    private static final Logger LOG = Logger.getLogger(MonitorSink.class.getName());
    private static final long REOPEN_NANOS = 1_000_000_000L;

    /** Opens dom0's own sink. */
    public interface Opener {
        Sink open() throws IOException;
    }

    private final Opener dom0;
    private final int width;
    private final int height;
    private final Path shmDir;
    private final Backoff backoff;
    private Sink current;
    private int viewerSlot = -1;
    private int focused;
    private Runnable repaint = () -> { };
    private long nextReopen;

    private MonitorSink(Opener dom0, Sink first, Path shmDir, Backoff backoff) {
        this.dom0 = dom0;
        this.current = first;
        this.width = first.width();
        this.height = first.height();
        this.shmDir = shmDir;
        this.backoff = backoff;
    }

    /** Opens dom0's sink now (its failure is the caller's, as without passthrough). */
    public static MonitorSink open(Opener dom0, Path shmDir, Backoff backoff) throws IOException {
        return new MonitorSink(dom0, dom0.open(), shmDir, backoff);
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    // The server's repaint takes the server's lock, which is held when it calls focused(): so
    // repaint is asked for outside ours.

    @Override
    public void passthroughStarted(int slot, Path viewerChannel) {
        Runnable r;
        synchronized (this) {
            if (slot == viewerSlot) {
                return;
            }
            closeCurrent();
            ViewerSink viewer = ViewerSink.open(width, height, slot, viewerChannel, shmDir, backoff);
            viewer.onRepaintNeeded(repaint);
            viewer.focused(focused);
            current = viewer;
            viewerSlot = slot;
            r = repaint;
        }
        LOG.info(() -> "the VM in slot " + slot + " owns the monitor: frames go to its viewer on " + viewerChannel);
        r.run();
    }

    @Override
    public void passthroughStopped(int slot) {
        Runnable r;
        synchronized (this) {
            if (slot != viewerSlot) {
                return;
            }
            closeCurrent();
            viewerSlot = -1;
            nextReopen = System.nanoTime();
            reopenDom0();
            r = repaint;
        }
        LOG.info(() -> "the VM in slot " + slot + " stopped: the monitor is dom0's again");
        r.run();
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private void reopenDom0() {
        if (System.nanoTime() - nextReopen < 0) {
            return;
        }
        nextReopen = System.nanoTime() + REOPEN_NANOS;
        try {
            current = dom0.open();
            current.onRepaintNeeded(repaint);
            current.focused(focused);
            LOG.info(() -> "showing on " + current.describe() + " again");
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "dom0's screen is not back yet (" + e.getMessage() + "); trying again each second");
        }
    }

    @Override
    public synchronized void present(Frame frame, List<Rect> damage) throws IOException {
        if (current == null && viewerSlot < 0) {
            reopenDom0();
            if (current != null) {
                damage = List.of(new Rect(0, 0, frame.width(), frame.height()));
            }
        }
        if (current != null) {
            current.present(frame, damage);
        }
    }

    @Override
    public synchronized void focused(int slot) {
        focused = slot;
        if (current != null) {
            current.focused(slot);
        }
    }

    @Override
    public synchronized void onRepaintNeeded(Runnable repaint) {
        this.repaint = repaint;
        if (current != null) {
            current.onRepaintNeeded(repaint);
        }
    }

    @Override
    public synchronized String describe() {
        return current != null ? current.describe() : "nothing: dom0's screen is away";
    }

    @Override
    public synchronized void close() {
        closeCurrent();
    }
}
