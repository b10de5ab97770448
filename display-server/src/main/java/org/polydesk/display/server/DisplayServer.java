package org.polydesk.display.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.HeadScales;
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
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.protocol.focus.HeadShown;
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
 * <p>Several monitors: each head of the sink ({@link Sink#heads}) is an output with its own
 * compositor and its own slot, as the focus bus says ({@link #focus(int, List)}); a slot is shown on
 * one output at most. One thread composes them all, each from its own damage. When the heads change
 * (a monitor plugged in or unplugged) the outputs are made again, and {@link #onHeadsChanged} hears of
 * the new layout (for the input server, which answers with what each shows). Without word from the
 * bus the first output shows the focused slot and the others nothing.
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

    /**
     * One monitor: its sink, its compositor, the slot it shows (null: none) and what its next
     * frame needs. Made on the compositor's thread; its fields are read and set under the server's lock.
     */
    private static final class Output {
        final Sink sink;
        final Compositor compositor;
        Integer slot;
        /** Set when the content must be composed whole; {@code switched} adds the banner. */
        boolean recompose = true;
        boolean switched = true;
        boolean frameDamaged;
        boolean pointerChanged;
        long bannerUntil;

        Output(Sink sink, IndicatorStyle style, Integer slot) {
            this.sink = sink;
            this.compositor = new Compositor(sink.createFrame(), style, sink.scale());
            this.slot = slot;
        }

        boolean shows(int s) {
            return slot != null && slot == s;
        }

        boolean bannerExpired() {
            return compositor.isBannerShown() && System.nanoTime() - bannerUntil >= 0;
        }

        boolean hasWork() {
            return recompose || frameDamaged || pointerChanged || bannerExpired();
        }
    }

    private final Sink sink;
    private final IndicatorStyle style;
    private volatile Runnable screenChanged = () -> { };
    private volatile Runnable headsChanged = () -> { };
    private volatile HeadArrangement arrangement = HeadArrangement.LEFT_TO_RIGHT;
    private volatile HeadScales scales;
    /**
     * The sink asked for a frame ({@link Sink#onRepaintNeeded}): the loop asks it whether its
     * monitors changed even when it has no output to draw on (its last monitor was unplugged).
     */
    private boolean sinkAsked;
    /** The monitors in the sink's order; replaced whole on the compositor's thread when the heads change. */
    private volatile List<Output> outputs;
    private final RfbConfig rfb;
    private final Backoff backoff;
    private final Screen[] screens = new Screen[FocusBus.MAX_SLOT + 1];
    private final Thread renderer;
    /** The slot with the keyboard: its pointer is drawn. */
    private int focused = FocusBus.UI_SLOT;
    /** What the focus bus last said each monitor shows, by name; null until it says (then one screen). */
    private Map<String, Integer> placed;
    /** The newest place input-server published, with its slot; null until one comes. */
    private PointerMoved pointer;
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
        this.style = style;
        this.outputs = outputsFor(sink.heads());
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
        sinkAsked = true;
        outputs.forEach(o -> o.recompose = true);
        notifyAll();
    }

    /** An output for each head: what each showed before, by name; without word from the bus, the first shows the focused slot. */
    private List<Output> outputsFor(List<Sink> heads) {
        List<Output> made = new ArrayList<>();
        for (int i = 0; i < heads.size(); i++) {
            Sink head = heads.get(i);
            Integer slot = placed != null ? placed.get(head.name()) : i == 0 ? Integer.valueOf(focused) : null;
            IndicatorStyle own = scales == null ? style : new IndicatorStyle(style.bannerTime(), style.borderPx(),
                    scales.forHead(head.name()));
            made.add(new Output(head, own, slot));
        }
        return List.copyOf(made);
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
        if (placed == null && !outputs.isEmpty()) {
            show(outputs.get(0), slot);
        }
        for (Output o : outputs) {
            if (o.shows(slot)) {
                // the monitor with the keyboard says so again: its banner, whole (also after a chord to what it shows)
                o.recompose = true;
                o.switched = true;
            }
        }
        sink.focused(slot);
        notifyAll();
    }

    /**
     * The focus moved, and with it what the monitors show ({@code heads} from the focus bus: each
     * monitor's slot by name, null for none; a null list is one screen, as {@link #focus(int)}).
     */
    public void focus(int slot, List<HeadShown> heads) {
        if (heads == null) {
            focus(slot);
            return;
        }
        synchronized (this) {
            Map<String, Integer> next = new HashMap<>();
            for (HeadShown h : heads) {
                if (h.slot() == null || FocusBus.isSlot(h.slot())) {
                    next.put(h.head(), h.slot());
                } else {
                    LOG.warning(() -> "ignoring slot " + h.slot() + " for monitor " + h.head() + ", outside 0–" + FocusBus.MAX_SLOT);
                }
            }
            placed = next;
            for (Output o : outputs) {
                show(o, next.get(o.sink.name()));
            }
            focus(slot);
        }
        wantScreenSize(); // a VM now on a monitor of another size is asked for that one's
        screenChanged.run();
    }

    /** Has {@code o} show {@code slot} (null: none), with the banner, if it shows another now. */
    private void show(Output o, Integer slot) {
        if (!java.util.Objects.equals(o.slot, slot)) {
            o.slot = slot;
            o.recompose = true;
            o.switched = true;
        }
    }

    /** The scales the user set, by monitor (--scale); before {@link #start}. */
    public synchronized void scale(HeadScales scales) {
        this.scales = scales;
        outputs = outputsFor(sink.heads());
    }

    /** Where the monitors sit (the user's --layout); from the next time the layout is asked for. */
    public void arrange(HeadArrangement arrangement) {
        this.arrangement = arrangement;
    }

    /** The monitors now, in their layout, for the input server. */
    public HeadLayout layout() {
        return arrangement.place(outputs.stream().map(o -> o.sink).toList());
    }

    /** {@code changed} runs on the compositor's thread each time the monitors changed, after {@link #layout} did. */
    public void onHeadsChanged(Runnable changed) {
        this.headsChanged = changed;
    }

    /** What each monitor shows now, by name in the sink's order (null: nothing). */
    public synchronized Map<String, Integer> shown() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        outputs.forEach(o -> m.put(o.sink.name(), o.slot));
        return m;
    }

    /** Where the pointer is in {@code place.slot()} (from the focus bus). */
    public synchronized void pointer(PointerMoved place) {
        pointer = place;
        if (place.slot() == focused) {
            pointerChangedIn(place.slot());
        }
    }

    private void pointerChangedIn(int slot) {
        for (Output o : outputs) {
            if (o.shows(slot)) {
                o.pointerChanged = true;
                notifyAll();
            }
        }
    }

    /** Nothing is known of the pointer any more (the focus bus went away): none is shown. */
    public synchronized void forgetPointer() {
        pointer = null;
        outputs.forEach(o -> o.pointerChanged = true);
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
     * {@code changed} runs each time the sink's frame was made again (the screen changed hands or
     * size: on the compositor's thread) and each time the focus bus said what the monitors show (on
     * its thread); e.g. to tell the control UI's launcher the monitor the UI is on ({@link #showing}).
     */
    public void onScreenChanged(Runnable changed) {
        this.screenChanged = changed;
    }

    /** Asks every source's server for the screen's size (again, when it changed); those that cannot resize are scaled. */
    private void wantScreenSize() {
        Map<RfbSource, Sink> asks = new HashMap<>();
        synchronized (this) {
            for (int slot = 0; slot < screens.length; slot++) {
                if (screens[slot] != null && screens[slot].source != null) {
                    asks.put(screens[slot].source, sizeFor(slot));
                }
            }
        }
        // wantSize may write to the source's socket: not under our lock
        asks.forEach((source, on) -> source.wantSize(on.width(), on.height()));
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
        }).wantSize(sizeFor(slot).width(), sizeFor(slot).height()).start();
        changed(slot);
    }

    /** The monitor that shows {@code slot}; null while none does. */
    public synchronized Sink showing(int slot) {
        return outputs.stream().filter(o -> o.shows(slot)).map(o -> o.sink).findFirst().orElse(null);
    }

    /** The monitor that shows {@code slot}, else the first: the size its VM is asked for. */
    private Sink sizeFor(int slot) {
        Sink on = showing(slot);
        return on != null ? on : outputs.isEmpty() ? sink : outputs.get(0).sink;
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
        if (s == null || s.source != source) {
            return;
        }
        for (Output o : outputs) {
            if (o.shows(slot)) {
                if (s.unavailable != null) {
                    s.unavailable = null;
                    o.recompose = true;
                }
                o.frameDamaged = true;
                notifyAll();
            }
        }
    }

    private synchronized void pointerShapeChanged(int slot, RfbSource source) {
        Screen s = screens[slot];
        if (slot == focused && s != null && s.source == source) {
            pointerChangedIn(slot);
        }
    }

    private void changed(int slot) {
        for (Output o : outputs) {
            if (o.shows(slot)) {
                o.recompose = true;
                notifyAll();
            }
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

    private Content contentOf(Output o) {
        if (o.slot == null) {
            return new Content.Unavailable(new VmLabel(FocusBus.UI_SLOT, o.sink.name(), 0x606060),
                    "no VM on this monitor: a switching chord with the pointer here brings one");
        }
        int slot = o.slot;
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
            List<Output> outs;
            synchronized (this) {
                while (!closed && !sinkAsked && outputs.stream().noneMatch(Output::hasWork) && consoleWanted == consoleShown) {
                    try {
                        wait(untilBannerExpires());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                sinkAsked = false;
                if (consoleWanted != consoleShown) {
                    // Handing the screen over (or back) happens here, between two frames: the console and
                    // the compositor never draw at once. Back from it, everything is drawn again.
                    if (switchConsole(consoleWanted)) {
                        outputs.forEach(o -> o.recompose = o.switched = true);
                    }
                }
                if (consoleShown) {
                    outputs.forEach(o -> o.recompose = o.switched = o.frameDamaged = o.pointerChanged = false);
                    continue;
                }
            }
            try {
                if (sink.frameOutdated()) {
                    madeAgain();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot lay out the monitors of " + sink.describe() + ": " + e.getMessage(), e);
            }
            outs = outputs;
            for (Output o : outs) {
                compose(o);
            }
        }
    }

    /** The sink's heads changed (or its frames must be made again): new outputs, each composed whole. */
    private void madeAgain() {
        synchronized (this) {
            outputs = outputsFor(sink.heads());
            notifyAll();
        }
        screenChanged.run();
        wantScreenSize();
        headsChanged.run();
        LOG.info(() -> "monitors: " + shown());
    }

    /** The wait until the first banner shown is due to go, in ms; 0 (for ever) when none is shown. */
    private long untilBannerExpires() {
        long wait = 0;
        for (Output o : outputs) {
            if (o.compositor.isBannerShown()) {
                long ms = Math.max(1, (o.bannerUntil - System.nanoTime()) / 1_000_000);
                wait = wait == 0 ? ms : Math.min(wait, ms);
            }
        }
        return wait;
    }

    /** Composes what {@code o} needs now and presents it. */
    private void compose(Output o) {
        Compositor compositor = o.compositor;
        Content content = null;
        boolean full;
        boolean banner;
        boolean expire;
        PointerMoved place;
        synchronized (this) {
            if (!o.hasWork() || consoleShown) {
                return;
            }
            full = o.recompose;
            banner = o.switched;
            expire = o.bannerExpired();
            if (full) {
                content = contentOf(o);
                if (banner) {
                    o.bannerUntil = System.nanoTime() + compositor.style().bannerTime().toNanos();
                }
            }
            o.recompose = o.switched = o.frameDamaged = o.pointerChanged = false;
            place = pointer != null && pointer.slot() == focused && o.shows(focused) ? pointer : null;
        }
        try {
            o.sink.awaitDrawable();
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
            damage.addAll(compositor.drawPointer(o.sink.showPointer(shown) ? null : shown));
            if (!damage.isEmpty()) {
                o.sink.present(compositor.frame(), damage);
                synchronized (this) {
                    presented++;
                    notifyAll();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot show a frame on " + o.sink.describe() + ": " + e.getMessage(), e);
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
