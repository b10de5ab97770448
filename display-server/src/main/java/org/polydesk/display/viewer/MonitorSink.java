package org.polydesk.display.viewer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.polydesk.display.bus.Passthrough;
import org.polydesk.display.bus.PassthroughVm;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.Pointer;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.gnttab.GrantMapper;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.vm.PciAddress;

/**
 * The sink of whoever owns the monitor: dom0's own (the framebuffer) until a VM with a GPU by
 * passthrough starts; then that VM's switcher viewer, and dom0's sink is closed, since its
 * framebuffer goes with the card. When the VM stops, dom0's sink is opened again (retried each
 * second until the console is back). The compositor may draw straight into dom0's framebuffer,
 * so a change of hands is only recorded when polydeskd reports it, and made on the compositor's
 * thread ({@link #frameOutdated}), where the old frame is known to be out of use. Before the boot
 * GPU leaves dom0, polydeskd asks us to let go of its framebuffer ({@link #consoleLeaving}): the
 * monitor then belongs to nobody until the VM's viewer or dom0's console is back. A VM whose GPU is
 * not the one dom0's screen is on (a machine with two) takes nothing: it has its own monitors.
 */
public final class MonitorSink implements Sink, Passthrough {
    private static final Logger LOG = Logger.getLogger(MonitorSink.class.getName());

    /** Opens dom0's own sink. */
    public interface Opener {
        Sink open() throws IOException;
    }

    /** Who is to own the monitor next, besides a passthrough VM's viewer: dom0, or nobody. */
    private static final PassthroughVm DOM0 = new PassthroughVm(-1, null, null, null, null);
    private static final PassthroughVm NOBODY = new PassthroughVm(-2, null, null, null, null);

    /** How long {@link #consoleLeaving} waits for the compositor's thread to let go. */
    private static final long LET_GO_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final Opener dom0;
    private final int width;
    private final int height;
    private final Path shmDir;
    private final GrantMapper grants;
    private final Backoff backoff;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "monitor-retry");
        t.setDaemon(true);
        return t;
    });
    private Sink current;
    private int viewerSlot = -1;
    private PassthroughVm next;
    private int focused;
    private Runnable repaint = () -> { };
    /** When dom0's sink may be tried again after it could not be opened. */
    private long reopenDue;

    private MonitorSink(Opener dom0, Sink first, Path shmDir, GrantMapper grants, Backoff backoff) {
        this.dom0 = dom0;
        this.current = first;
        this.width = first.width();
        this.height = first.height();
        this.shmDir = shmDir;
        this.grants = grants;
        this.backoff = backoff;
    }

    /**
     * Opens dom0's sink now (its failure is the caller's, as without passthrough); a viewer's
     * region is a file in {@code shmDir} or pages its VM granted, mapped by {@code grants}.
     */
    public static MonitorSink open(Opener dom0, Path shmDir, GrantMapper grants, Backoff backoff) throws IOException {
        return new MonitorSink(dom0, dom0.open(), shmDir, grants, backoff);
    }

    /** dom0's screen's size while it is there (a monitor changed by hot-plug may change it), else the first one's. */
    @Override
    public synchronized int width() {
        return current != null ? current.width() : width;
    }

    @Override
    public synchronized int height() {
        return current != null ? current.height() : height;
    }

    // The server's repaint takes the server's lock, which is held when it calls focused(): so
    // repaint is asked for outside ours.

    @Override
    public void passthroughStarted(PassthroughVm vm) {
        String ours = notOurs(vm.gpu());
        if (ours != null) {
            // Two GPUs: the VM's drives monitors of its own; the UI and the other VMs stay on dom0's.
            LOG.info(() -> "the VM in slot " + vm.slot() + " owns the GPU " + vm.gpu() + ", not " + ours
                    + " that dom0's screen is on: dom0 keeps its screen");
            return;
        }
        handOver(vm);
        LOG.info(() -> "the VM in slot " + vm.slot() + " owns the monitor: frames go to its viewer on " + vm.viewerChannel());
    }

    /** PCI addresses with or without the domain ("01:00.0" is "0000:01:00.0"), any case. */
    static boolean samePci(String a, String b) {
        return PciAddress.canonical(a).equals(PciAddress.canonical(b));
    }

    @Override
    public void passthroughStopped(int slot) {
        synchronized (this) {
            boolean owns = next != null ? next.slot() == slot : viewerSlot == slot;
            if (!owns) {
                return;
            }
        }
        handOver(DOM0);
        LOG.info(() -> "the VM in slot " + slot + " stopped: the monitor is dom0's again");
    }

    @Override
    public void consoleLeaving(String gpu) {
        String ours = notOurs(gpu);
        if (ours != null) {
            LOG.info(() -> "the GPU " + gpu + " leaves dom0, not " + ours + " that dom0's screen is on: it stays");
            return;
        }
        handOver(NOBODY);
        synchronized (this) {
            long deadline = System.nanoTime() + LET_GO_NANOS;
            try {
                while (next != null && System.nanoTime() - deadline < 0) {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (next != null) {
                LOG.warning("the compositor did not let go of dom0's screen within 3 s");
                return;
            }
        }
        LOG.info("let go of dom0's screen: its GPU leaves dom0");
    }

    @Override
    public void consoleBack(String gpu) {
        synchronized (this) {
            if (current != null && viewerSlot == DOM0.slot() && next == null) {
                return; // dom0's screen never left (another GPU went), or is back already
            }
        }
        handOver(DOM0);
        LOG.info("dom0's screen is back");
    }

    /** The PCI address of dom0's screen when {@code gpu} is known and another GPU, else null. */
    private synchronized String notOurs(String gpu) {
        String ours = current != null ? current.pciDevice() : null;
        return gpu != null && ours != null && !samePci(gpu, ours) ? ours : null;
    }

    private void handOver(PassthroughVm owner) {
        Runnable r;
        synchronized (this) {
            next = owner;
            r = repaint;
        }
        r.run();
    }

    @Override
    public synchronized boolean frameOutdated() {
        if (next != null) {
            PassthroughVm owner = next;
            next = null;
            if (current != null) {
                current.close();
                current = null;
            }
            viewerSlot = owner.slot();
            if (owner.slot() >= 0) {
                current = ViewerSink.open(width, height, owner.slot(), owner.viewerChannel(),
                        new RegionMapper(shmDir, owner.domid(), owner.ivshmemFile(), grants), backoff);
                current.onRepaintNeeded(repaint);
                current.focused(focused);
            } else if (owner == DOM0) {
                reopenDom0();
            }
            notifyAll();
            return true;
        }
        if (current == null && viewerSlot == DOM0.slot() && System.nanoTime() - reopenDue >= 0) {
            reopenDom0();
            return current != null;
        }
        return current != null && current.frameOutdated();
    }

    private void reopenDom0() {
        try {
            current = dom0.open();
            current.onRepaintNeeded(repaint);
            current.focused(focused);
            LOG.info(() -> "showing on " + current.describe() + " again");
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "dom0's screen is not back yet (" + e.getMessage() + "); trying again in a second");
            reopenDue = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            retries.schedule(repaint, 1, TimeUnit.SECONDS);
        }
    }

    /** The monitors of whatever has the screen now: dom0's (each KMS head), or the viewer as one. */
    @Override
    public synchronized List<Sink> heads() {
        return current != null ? current.heads() : List.of(this);
    }

    @Override
    public synchronized String name() {
        return current != null ? current.name() : Sink.super.name();
    }

    @Override
    public synchronized Frame createFrame() {
        return current != null ? current.createFrame() : new Frame(width, height);
    }

    @Override
    public synchronized void present(Frame frame, List<Rect> damage) throws IOException {
        if (current != null) {
            current.present(frame, damage);
        }
    }

    @Override
    public synchronized double scale() {
        return current != null ? current.scale() : 1;
    }

    @Override
    public synchronized String pciDevice() {
        return current != null ? current.pciDevice() : null;
    }

    @Override
    public synchronized void yieldToConsole() {
        if (current != null) {
            current.yieldToConsole();
        }
    }

    @Override
    public synchronized void backFromConsole() {
        if (current != null) {
            current.backFromConsole();
        }
    }

    @Override
    public synchronized boolean showPointer(Pointer pointer) {
        return current != null && current.showPointer(pointer);
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
        retries.shutdownNow();
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
