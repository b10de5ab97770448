package org.polydesk.display.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.Pointer;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.console.TextConsole;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.rfb.ServerInfo;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.source.RfbSource;
import org.polydesk.display.source.SourceListener;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.PointerMoved;

/**
 * The display server's core: one live RFB source per slot (slot 0 the control UI's Xvnc, 1–9 the
 * running VMs), the focused slot, and the thread that composes the focused source into the sink.
 * Every source decodes all the time into its own frame buffer, so a switch costs one full compose.
 * Frames are driven by damage: nothing moves while the focused screen is still.
 *
 * <p>The pointer: input-server publishes where the pointer is in a slot whose input is absolute;
 * the focused source's pointer image (RFB Cursor) is shown there, by the sink itself where it can
 * ({@link Sink#showPointer}), else drawn into the frame. A place is its slot's only: after a switch
 * to a slot with a relative mouse nothing is drawn, and that guest's own pointer (a software
 * cursor in its picture) is all there is.
 *
 * <p>Callers (the toolstack watcher, the focus bus client) may call from any thread; a failure of
 * one source or of the sink is logged and never ends the server.
 */
public final class DisplayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DisplayServer.class.getName());

    /** What a slot holds: who it is, its source while it should be connected, why not otherwise. */
    private static final class Screen {
        VmLabel label;
        RfbSource source;
        String unavailable;

        Screen(VmLabel label) {
            this.label = label;
        }
    }

    private final Sink sink;
    private volatile Runnable screenChanged = () -> { };
    /** Replaced, on the compositor's thread only, when the sink asks for a new frame. */
    private Compositor compositor;
    private final RfbConfig rfb;
    private final Backoff backoff;
    private final Screen[] screens = new Screen[FocusBus.MAX_SLOT + 1];
    private final Thread renderer;
    private int focused = FocusBus.UI_SLOT;
    /** Set when the focused slot's content must be recomposed whole; {@code switched} adds the banner. */
    private boolean recompose = true;
    private boolean switched = true;
    private boolean frameDamaged;
    /** The newest place input-server published, with its slot; null until one comes. */
    private PointerMoved pointer;
    private boolean pointerChanged;
    private long bannerUntil;
    private boolean closed;
    private long presented;
    /** dom0's text console, or null where there is none (not a framebuffer). */
    private TextConsole textConsole;
    /** The focus is on the console (set by {@link #focus}); the compositor shows or hides it to match. */
    private boolean consoleWanted;
    /** The console is on the screen: nothing is drawn. The compositor's thread's only. */
    private boolean consoleShown;

    public DisplayServer(Sink sink, IndicatorStyle style, RfbConfig rfb, Backoff backoff) {
        this.sink = sink;
        this.compositor = new Compositor(sink.createFrame(), style, sink.scale());
        this.rfb = rfb;
        this.backoff = backoff;
        screens[FocusBus.UI_SLOT] = new Screen(VmLabel.CONTROL_UI);
        screens[FocusBus.UI_SLOT].unavailable = "the control UI is not running";
        this.renderer = new Thread(this::renderLoop, "display-compositor");
        renderer.setDaemon(true);
        sink.onRepaintNeeded(this::repaint);
        sink.focused(focused);
    }

    private synchronized void repaint() {
        recompose = true;
        notifyAll();
    }

    public DisplayServer start() {
        renderer.start();
        LOG.info(() -> "display server showing on " + sink.describe());
        return this;
    }

    /** Connects slot 0 to the control UI's Xvnc. */
    public void showControlUi(RfbEndpoint endpoint) {
        attach(VmLabel.CONTROL_UI, endpoint);
    }

    /** A VM runs in {@code label.slot()} with its VNC server at {@code vnc}. */
    public void vmStarted(VmLabel label, RfbEndpoint vnc) {
        checkVmSlot(label.slot());
        attach(label, vnc);
    }

    /** The VM of {@code label} is not running (stopped, crashed): its screen says why until it starts. */
    public synchronized void vmStopped(VmLabel label, String reason) {
        checkVmSlot(label.slot());
        Screen s = screens[label.slot()];
        if (s == null) {
            s = screens[label.slot()] = new Screen(label);
        }
        s.label = label;
        closeSource(s);
        s.unavailable = reason;
        changed(label.slot());
    }

    /** The VM in {@code slot} was deleted (or moved away): the slot is empty. */
    public synchronized void vmRemoved(int slot) {
        checkVmSlot(slot);
        Screen s = screens[slot];
        if (s != null) {
            closeSource(s);
            screens[slot] = null;
            changed(slot);
        }
    }

    /** A VM's name or colour changed. */
    public synchronized void relabel(VmLabel label) {
        Screen s = screens[label.slot()];
        if (s != null && !s.label.equals(label)) {
            s.label = label;
            changed(label.slot());
        }
    }

    /** Where the console chord leads: dom0's text console, shown instead of any slot while it has the focus. */
    public synchronized void useTextConsole(TextConsole console) {
        this.textConsole = console;
    }

    /**
     * The focus moved (from the focus bus): show {@code slot}, with the banner; for
     * {@link FocusBus#CONSOLE}, hand the screen to dom0's text console until it moves again.
     */
    public synchronized void focus(int slot) {
        if (slot == FocusBus.CONSOLE) {
            if (textConsole == null) {
                LOG.warning("the focus is on dom0's text console, but this display has none to show");
                return;
            }
            consoleWanted = true;
            notifyAll();
            return;
        }
        if (!FocusBus.isSlot(slot)) {
            LOG.warning(() -> "ignoring focus on slot " + slot + ", outside 0–" + FocusBus.MAX_SLOT);
            return;
        }
        consoleWanted = false;
        focused = slot;
        recompose = true;
        switched = true;
        sink.focused(slot);
        notifyAll();
    }

    /** Where the pointer is in {@code place.slot()} (from the focus bus). */
    public synchronized void pointer(PointerMoved place) {
        pointer = place;
        if (place.slot() == focused) {
            pointerChanged = true;
            notifyAll();
        }
    }

    /** Nothing is known of the pointer any more (the focus bus went away): none is shown. */
    public synchronized void forgetPointer() {
        pointer = null;
        pointerChanged = true;
        notifyAll();
    }

    /** The newest pointer place heard, of any slot; null when none is known. */
    public synchronized PointerMoved pointerPlace() {
        return pointer;
    }

    public synchronized int focusedSlot() {
        return focused;
    }

    /** Whether dom0's text console has the screen now (as the compositor last left it). */
    public synchronized boolean consoleShown() {
        return consoleShown;
    }

    /**
     * {@code changed} runs on the compositor's thread each time the sink's frame was made again
     * (the screen changed hands or size); e.g. to tell the control UI's launcher.
     */
    public void onScreenChanged(Runnable changed) {
        this.screenChanged = changed;
    }

    /** Asks every source's server for the screen's size (again, when it changed); those that cannot resize are scaled. */
    private void wantScreenSize() {
        List<RfbSource> live = new ArrayList<>();
        synchronized (this) {
            for (Screen s : screens) {
                if (s != null && s.source != null) {
                    live.add(s.source);
                }
            }
        }
        live.forEach(source -> source.wantSize(sink.width(), sink.height()));
    }

    /** How many times the sink was given a frame; tests wait on it. */
    public synchronized long presented() {
        return presented;
    }

    /** The slots that hold a VM or the UI, with their labels. */
    public synchronized List<VmLabel> labels() {
        List<VmLabel> out = new ArrayList<>();
        for (Screen s : screens) {
            if (s != null) {
                out.add(s.label);
            }
        }
        return out;
    }

    private synchronized void attach(VmLabel label, RfbEndpoint endpoint) {
        Screen s = screens[label.slot()];
        if (s == null) {
            s = screens[label.slot()] = new Screen(label);
        }
        s.label = label;
        if (s.source != null && s.source.endpoint().equals(endpoint)) {
            changed(label.slot());
            return;
        }
        closeSource(s);
        s.unavailable = "waiting for the display";
        int slot = label.slot();
        // A UNIX socket is this machine: Raw costs the server and us a memory copy, where ZRLE costs
        // the server a deflate and us an inflate of every changed pixel.
        RfbConfig config = endpoint instanceof RfbEndpoint.Unix ? rfb.preferring(Encodings.RAW) : rfb;
        s.source = new RfbSource(label.name(), endpoint, config, backoff, new SourceListener() {
            @Override
            public void connected(RfbSource source, ServerInfo info) {
                sourceChanged(slot, source, null);
            }

            @Override
            public void disconnected(RfbSource source, IOException reason) {
                sourceChanged(slot, source, "the display was lost; reconnecting");
            }

            @Override
            public void frameUpdated(RfbSource source) {
                damaged(slot, source);
            }

            @Override
            public void cursorChanged(RfbSource source, CursorShape cursor) {
                pointerShapeChanged(slot, source);
            }
        }).wantSize(sink.width(), sink.height()).start();
        changed(slot);
    }

    private synchronized void sourceChanged(int slot, RfbSource source, String unavailable) {
        Screen s = screens[slot];
        if (s != null && s.source == source) {
            s.unavailable = unavailable;
            changed(slot);
        }
    }

    private synchronized void damaged(int slot, RfbSource source) {
        Screen s = screens[slot];
        if (slot == focused && s != null && s.source == source) {
            if (s.unavailable != null) {
                s.unavailable = null;
                recompose = true;
            }
            frameDamaged = true;
            notifyAll();
        }
    }

    private synchronized void pointerShapeChanged(int slot, RfbSource source) {
        Screen s = screens[slot];
        if (slot == focused && s != null && s.source == source) {
            pointerChanged = true;
            notifyAll();
        }
    }

    private void changed(int slot) {
        if (slot == focused) {
            recompose = true;
            notifyAll();
        }
    }

    private static void closeSource(Screen s) {
        if (s.source != null) {
            RfbSource old = s.source;
            s.source = null;
            // Closing waits for the source's thread, which may be calling into us: not under our lock.
            Thread closer = new Thread(old::close, "close-" + old.name());
            closer.setDaemon(true);
            closer.start();
        }
    }

    private static void checkVmSlot(int slot) {
        if (slot < 1 || slot > FocusBus.MAX_SLOT) {
            throw new IllegalArgumentException("a VM's slot is 1–" + FocusBus.MAX_SLOT + ", not " + slot);
        }
    }

    private Content contentOf(int slot) {
        Screen s = screens[slot];
        if (s == null) {
            return new Content.Unavailable(new VmLabel(slot, "Slot " + slot, 0x606060), "no VM in this slot");
        }
        if (s.source != null && s.unavailable == null && s.source.frameBuffer().width() > 0) {
            return new Content.Live(s.label, s.source.frameBuffer());
        }
        return new Content.Unavailable(s.label, "display not available: "
                + (s.unavailable != null ? s.unavailable : "waiting for the display"));
    }

    private void renderLoop() {
        while (true) {
            Content content = null;
            boolean full;
            boolean banner;
            boolean expire;
            PointerMoved place;
            synchronized (this) {
                while (!closed && !recompose && !frameDamaged && !pointerChanged && !bannerExpired()
                        && consoleWanted == consoleShown) {
                    long wait = compositor.isBannerShown() ? Math.max(1, (bannerUntil - System.nanoTime()) / 1_000_000) : 0;
                    try {
                        wait(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                if (consoleWanted != consoleShown) {
                    // Handing the screen over (or back) happens here, between two frames: the console and
                    // the compositor never draw at once. Back from it, everything is drawn again.
                    if (switchConsole(consoleWanted)) {
                        recompose = true;
                        switched = true;
                    }
                }
                if (consoleShown) {
                    recompose = switched = frameDamaged = pointerChanged = false;
                    continue;
                }
                full = recompose;
                banner = switched;
                expire = bannerExpired();
                if (full) {
                    content = contentOf(focused);
                    if (banner) {
                        bannerUntil = System.nanoTime() + compositor.style().bannerTime().toNanos();
                    }
                }
                recompose = false;
                switched = false;
                frameDamaged = false;
                pointerChanged = false;
                place = pointer != null && pointer.slot() == focused ? pointer : null;
            }
            try {
                if (sink.frameOutdated()) {
                    compositor = new Compositor(sink.createFrame(), compositor.style(), sink.scale());
                    screenChanged.run();
                    wantScreenSize();
                    if (!full) {
                        synchronized (this) {
                            content = contentOf(focused);
                        }
                        full = true;
                    }
                }
                List<Rect> damage;
                if (full) {
                    boolean keepBanner = banner || (compositor.isBannerShown() && !expire);
                    damage = new ArrayList<>(compositor.show(content, keepBanner && !compositor.style().bannerTime().isZero()));
                } else {
                    damage = new ArrayList<>();
                    if (compositor.content() instanceof Content.Live live) {
                        damage.addAll(compositor.update(live.frameBuffer().drainDamage()));
                    }
                    if (expire) {
                        damage.addAll(compositor.hideBanner());
                    }
                }
                Pointer shown = place == null ? null : compositor.placePointer(place.x(), place.y());
                damage.addAll(compositor.drawPointer(sink.showPointer(shown) ? null : shown));
                if (!damage.isEmpty()) {
                    sink.present(compositor.frame(), damage);
                    synchronized (this) {
                        presented++;
                        notifyAll();
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot show a frame on " + sink.describe() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Shows or hides the text console (with this server's monitor held); true once it is hidden again. */
    private boolean switchConsole(boolean show) {
        try {
            if (show) {
                sink.yieldToConsole();
                textConsole.show();
                LOG.info("dom0's text console has the screen (" + textConsole.describe() + ")");
            } else {
                textConsole.hide();
                sink.backFromConsole();
                LOG.info("dom0's text console left the screen");
            }
            consoleShown = show;
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot " + (show ? "show" : "hide") + " dom0's text console: " + e.getMessage());
            consoleWanted = consoleShown; // stay as it is; the next focus move tries again
        }
        notifyAll();
        return !consoleShown;
    }

    private boolean bannerExpired() {
        return compositor.isBannerShown() && System.nanoTime() - bannerUntil >= 0;
    }

    @Override
    public void close() {
        List<RfbSource> sources = new ArrayList<>();
        synchronized (this) {
            closed = true;
            notifyAll();
            for (Screen s : screens) {
                if (s != null && s.source != null) {
                    sources.add(s.source);
                    s.source = null;
                }
            }
        }
        sources.forEach(RfbSource::close);
        try {
            renderer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.close();
    }
}
