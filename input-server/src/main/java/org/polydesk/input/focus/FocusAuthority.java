package org.polydesk.input.focus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.input.hotkey.HotkeyAction;
import org.polydesk.input.sink.InputSink;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.Head;
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.protocol.focus.HeadShown;
import org.polydesk.protocol.focus.PointerMoved;

/**
 * The one authority on focus: which slot has the keyboard and pointer, which VM and sink each slot
 * holds, and the numbered {@link FocusChanged} stream. Its monitor is also the input router's lock,
 * so a switch (releasing held keys in the VM that loses focus, then publishing) is never interleaved
 * with an input event. It also passes on where the router put the pointer of a slot whose input is
 * absolute ({@link PointerMoved}), to the focus bus's subscribers.
 *
 * <p>With several monitors ({@link #setHeads}) each shows a slot of its own, no slot on two. The
 * keyboard's slot is the one shown on the monitor under the pointer: a chord or a request puts its
 * slot on that monitor (a slot shown on another trades places with it), and the pointer crossing
 * onto another monitor moves the keyboard to that one's slot. A monitor with no slot left for it
 * shows nothing; the keyboard stays where it was until a chord gives it one.
 */
public final class FocusAuthority {
    private static final Logger LOG = Logger.getLogger(FocusAuthority.class.getName());

    /** The router's part in a switch; called with this authority's monitor held. */
    public interface SwitchHook {
        /** Before the focus moves: let go of everything held in {@code from}, set the LEDs for {@code to}. */
        void focusMoving(int from, int to);

        /** The slot's VM is gone: forget what was held there. */
        void slotGone(int slot);

        /** The monitors changed: put the pointer on one of them if it is on none now. */
        default void headsChanged() {
        }
    }

    /** {@code monitor}: the monitor its definition places it on, or null. */
    private record Occupant(UUID vm, String name, InputSink sink, String monitor) {
        Occupant(UUID vm, String name, InputSink sink) {
            this(vm, name, sink, null);
        }
    }

    private final Map<Integer, Occupant> slots = new TreeMap<>();
    private final List<Consumer<FocusChanged>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<PointerMoved>> pointerListeners = new CopyOnWriteArrayList<>();
    /** The newest place published, for subscribers that come later. */
    private PointerMoved pointer;
    private SwitchHook hook = new SwitchHook() {
        @Override
        public void focusMoving(int from, int to) {
        }

        @Override
        public void slotGone(int slot) {
        }
    };
    private int current = FocusBus.UI_SLOT;
    private long seq;
    /** The monitors in the layout's order, each with the slot it shows (null: none); empty while none are known. */
    private final Map<String, Integer> shown = new LinkedHashMap<>();
    private List<Head> heads = List.of();
    /** The monitor under the pointer; null while none are known. */
    private String pointerHead;

    /** The control UI's sink (RFB to its Xvnc), or null while it has none. */
    public FocusAuthority(InputSink uiSink) {
        this(uiSink, null);
    }

    /**
     * With dom0's text console as a focus target when {@code consoleSink} (the keyboard that types
     * into it) is given; without one, the console chord does nothing.
     */
    public FocusAuthority(InputSink uiSink, InputSink consoleSink) {
        slots.put(FocusBus.UI_SLOT, new Occupant(null, "control UI", uiSink));
        if (consoleSink != null) {
            slots.put(FocusBus.CONSOLE, new Occupant(null, "dom0's text console", consoleSink));
        }
    }

    public synchronized void setHook(SwitchHook hook) {
        this.hook = hook;
    }

    public synchronized int focusedSlot() {
        return current;
    }

    public synchronized FocusChanged current() {
        return change(seq, FocusChanged.Cause.INITIAL);
    }

    private FocusChanged change(long number, FocusChanged.Cause cause) {
        if (heads.isEmpty()) {
            return new FocusChanged(number, current, slots.get(current).vm(), cause);
        }
        List<HeadShown> what = new ArrayList<>();
        shown.forEach((head, slot) -> what.add(new HeadShown(head, slot)));
        return new FocusChanged(number, current, slots.get(current).vm(), cause, what, pointerHead);
    }

    /** The monitors in their layout, empty while the display server has named none. */
    public synchronized List<Head> heads() {
        return heads;
    }

    /** The monitor under the pointer, null while none are known. */
    public synchronized Head pointerHead() {
        for (Head h : heads) {
            if (h.name().equals(pointerHead)) {
                return h;
            }
        }
        return null;
    }

    /** The slot {@code head} shows, null for none (or no such monitor). */
    public synchronized Integer shownOn(String head) {
        return shown.get(head);
    }

    /**
     * The display server's monitors now ({@link FocusBus#HEADS_SET}; checked by the caller). Those
     * kept keep their slot; the slot of each that went moves to the first monitor left that is not
     * under the pointer (else to that one), what it showed giving way; a new one shows a slot that
     * no monitor shows, if any. The pointer stays on its monitor if it is still there, else goes to
     * the first. A monitor that comes back shows the VM placed on it again, unless that VM is what
     * the pointer is on.
     */
    public synchronized FocusChanged setHeads(HeadLayout layout) {
        if (layout.heads().equals(heads)) {
            return change(seq, FocusChanged.Cause.LAYOUT); // told again (the display server's screen came back): nothing moves
        }
        Map<String, Integer> before = new LinkedHashMap<>(shown);
        List<Integer> orphans = new ArrayList<>();
        before.forEach((head, slot) -> {
            if (layout.head(head) == null && slot != null) {
                orphans.add(slot);
            }
        });
        heads = List.copyOf(layout.heads());
        shown.clear();
        for (Head h : heads) {
            shown.put(h.name(), before.get(h.name()));
        }
        if (before.isEmpty()) {
            shown.put(heads.get(0).name(), current == FocusBus.CONSOLE ? FocusBus.UI_SLOT : current);
        }
        boolean pointerKept = pointerHead != null && shown.containsKey(pointerHead);
        if (!pointerKept) {
            pointerHead = heads.get(0).name();
        }
        for (int slot : orphans) {
            String to = heads.stream().map(Head::name).filter(h -> !h.equals(pointerHead) && !orphans.contains(shown.get(h)))
                    .findFirst().orElse(pointerHead);
            if (orphans.contains(shown.get(to))) {
                break; // every monitor left already shows a vanished one's slot
            }
            shown.put(to, slot);
        }
        // A monitor that came back takes the VMs placed on it, unless one is what the pointer is on.
        for (Head h : heads) {
            if (!before.containsKey(h.name()) && !before.isEmpty()) {
                slots.forEach((slot, o) -> {
                    String on = headShowing(slot);
                    if (h.name().equals(o.monitor()) && on != null && !on.equals(pointerHead) && shown.get(h.name()) == null) {
                        shown.put(on, null);
                        shown.put(h.name(), slot);
                    }
                });
            }
        }
        fill();
        hook.headsChanged();
        Integer under = shown.get(pointerHead);
        int next = current == FocusBus.CONSOLE || under == null ? current : under;
        if (next != current) {
            hook.focusMoving(current, next);
            current = next;
        }
        LOG.info("monitors " + shown + ", the pointer on " + pointerHead);
        return publish(FocusChanged.Cause.LAYOUT);
    }

    /**
     * The pointer crossed onto {@code head} (the router, under this monitor): its slot gets the
     * keyboard. On a monitor that shows nothing the keyboard stays where it was.
     */
    public synchronized void pointerOn(String head) {
        if (head.equals(pointerHead) || !shown.containsKey(head)) {
            return;
        }
        pointerHead = head;
        Integer slot = shown.get(head);
        if (slot != null && current != FocusBus.CONSOLE && slot != current) {
            hook.focusMoving(current, slot);
            current = slot;
        }
        LOG.info("the pointer is on " + head + (slot == null ? ", which shows nothing" : ", showing slot " + slot)
                + "; the keyboard is on slot " + current);
        publish(FocusChanged.Cause.POINTER);
    }

    /**
     * Gives each monitor that shows nothing a slot that none shows: a VM placed on it first, else
     * the lowest.
     */
    private void fill() {
        for (Map.Entry<String, Integer> e : shown.entrySet()) {
            if (e.getValue() == null) {
                Integer pick = null;
                for (Map.Entry<Integer, Occupant> o : slots.entrySet()) {
                    int slot = o.getKey();
                    if (slot == FocusBus.CONSOLE || shown.containsValue(slot)) {
                        continue;
                    }
                    if (e.getKey().equals(o.getValue().monitor())) {
                        pick = slot;
                        break;
                    }
                    if (pick == null) {
                        pick = slot;
                    }
                }
                e.setValue(pick);
            }
        }
    }

    private FocusChanged publish(FocusChanged.Cause cause) {
        FocusChanged change = change(++seq, cause);
        for (Consumer<FocusChanged> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.warning("a focus listener failed: " + e);
            }
        }
        return change;
    }

    /** The sink of a slot, or null when the slot is empty or its sink is not set. */
    public synchronized InputSink sink(int slot) {
        Occupant o = slots.get(slot);
        return o == null ? null : o.sink();
    }

    public synchronized boolean occupied(int slot) {
        return slots.containsKey(slot);
    }

    /** Registers a listener and returns the current focus, atomically: no change falls between. */
    public synchronized FocusChanged subscribe(Consumer<FocusChanged> listener) {
        listeners.add(listener);
        return current();
    }

    public void unsubscribe(Consumer<FocusChanged> listener) {
        listeners.remove(listener);
    }

    /**
     * Registers a listener of the pointer's place and returns the newest one if it is the focused
     * slot's (else null), atomically. Listeners are called on the input path: they must not block.
     */
    public synchronized PointerMoved subscribePointer(Consumer<PointerMoved> listener) {
        pointerListeners.add(listener);
        return pointer != null && pointer.slot() == current ? pointer : null;
    }

    public void unsubscribePointer(Consumer<PointerMoved> listener) {
        pointerListeners.remove(listener);
    }

    /** The router put the pointer of {@code place.slot()}, whose input is absolute, at that place. */
    public synchronized void pointerMoved(PointerMoved place) {
        pointer = place;
        for (Consumer<PointerMoved> l : pointerListeners) {
            try {
                l.accept(place);
            } catch (RuntimeException e) {
                LOG.warning("a pointer listener failed: " + e);
            }
        }
    }

    /** A VM of the toolstack is running in {@code slot} and takes input through {@code sink}. */
    public synchronized void vmStarted(int slot, UUID vm, String name, InputSink sink) {
        vmStarted(slot, vm, name, sink, null);
    }

    /**
     * As above, placed on {@code monitor} (its definition's; null for none): when that monitor is
     * connected the VM is shown there as it starts, and the keyboard goes with it if the pointer is
     * on that monitor; else, as any VM, on a monitor that shows nothing.
     */
    public synchronized void vmStarted(int slot, UUID vm, String name, InputSink sink, String monitor) {
        if (slot == FocusBus.UI_SLOT || !FocusBus.isSlot(slot)) {
            LOG.warning("VM " + name + " reports slot " + slot + ", which is not a VM slot (1 to "
                    + FocusBus.MAX_SLOT + "); its input is not served");
            if (sink != null) {
                sink.close();
            }
            return;
        }
        Occupant old = slots.get(slot);
        if (old != null && old.vm() != null && old.vm().equals(vm) && old.sink() != null && sink != null
                && old.sink().describe().equals(sink.describe())) {
            sink.close(); // the same VM reported again (after a reconnect to polydeskd)
            return;
        }
        if (old != null) {
            hook.slotGone(slot);
            if (old.sink() != null) {
                old.sink().close();
            }
        }
        slots.put(slot, new Occupant(vm, name, sink, monitor));
        LOG.info("slot " + slot + ": " + name + " (" + vm + ")" + (sink == null ? "" : " via " + sink.describe())
                + (monitor == null ? "" : ", placed on " + monitor));
        if (monitor != null && shown.containsKey(monitor) && current != FocusBus.CONSOLE) {
            String was = headShowing(slot);
            if (was != null && !was.equals(monitor)) {
                shown.put(was, null);
            }
            shown.put(monitor, slot);
            if (monitor.equals(pointerHead) && slot != current) {
                hook.focusMoving(current, slot);
                current = slot;
            }
            fill();
            publish(FocusChanged.Cause.LAYOUT);
        } else if (shown.containsValue(null)) {
            fill(); // a monitor that showed nothing shows it
            publish(FocusChanged.Cause.LAYOUT);
        }
    }

    /** The VM stopped or crashed: its slot empties; if it had the focus, the control UI gets it. */
    public synchronized void vmStopped(UUID vm) {
        for (Map.Entry<Integer, Occupant> e : slots.entrySet()) {
            int slot = e.getKey();
            if (slot != FocusBus.UI_SLOT && vm.equals(e.getValue().vm())) {
                Occupant o = e.getValue();
                if (slot == current) {
                    move(FocusBus.UI_SLOT, FocusChanged.Cause.VM_GONE);
                }
                hook.slotGone(slot);
                slots.remove(slot);
                String head = headShowing(slot);
                if (head != null) {
                    // shown on a monitor without the keyboard: another slot, if one is free, takes its place
                    shown.put(head, null);
                    fill();
                    publish(FocusChanged.Cause.VM_GONE);
                }
                if (o.sink() != null) {
                    o.sink().close();
                }
                LOG.info("slot " + slot + " is free (" + o.name() + " is gone)");
                return;
            }
        }
    }

    /** The VMs currently in slots, for resynchronising with polydeskd. */
    public synchronized Map<UUID, Integer> vms() {
        Map<UUID, Integer> m = new java.util.HashMap<>();
        slots.forEach((slot, o) -> {
            if (o.vm() != null) {
                m.put(o.vm(), slot);
            }
        });
        return m;
    }

    /** A focus.set request; refused when the slot is not a slot or holds no running VM. */
    public synchronized FocusChanged set(int slot, FocusChanged.Cause cause) throws NoSuchSlotException {
        if (!FocusBus.isSlot(slot)) {
            throw new NoSuchSlotException("slot " + slot + " is not a slot (0 is the control UI, VMs take 1 to "
                    + FocusBus.MAX_SLOT + ")", false);
        }
        if (!slots.containsKey(slot)) {
            throw new NoSuchSlotException("slot " + slot + " holds no running VM", true);
        }
        return move(slot, cause);
    }

    /** A switching chord was pressed. A chord to an empty slot does nothing (but is still not passed on). */
    public synchronized void hotkey(HotkeyAction action) {
        int target = switch (action.kind()) {
            case SLOT -> action.slot();
            case NEXT -> cycle(+1);
            case PREVIOUS -> cycle(-1);
            case CONSOLE -> FocusBus.CONSOLE;
        };
        if (slots.containsKey(target)) {
            move(target, FocusChanged.Cause.HOTKEY);
        } else if (target == FocusBus.CONSOLE) {
            LOG.info("hotkey for the console: this input server has no text console (no /dev/uinput or no devices)");
        } else {
            LOG.info("hotkey for " + action + ": the slot holds no running VM");
        }
    }

    /** The next or previous slot in use; the console is not among them (from it, the control UI's neighbours). */
    private int cycle(int direction) {
        List<Integer> order = new ArrayList<>(slots.keySet());
        order.remove(Integer.valueOf(FocusBus.CONSOLE));
        int i = order.indexOf(current);
        if (i < 0) {
            i = order.indexOf(FocusBus.UI_SLOT);
        }
        return order.get(Math.floorMod(i + direction, order.size()));
    }

    private FocusChanged move(int slot, FocusChanged.Cause cause) {
        boolean onPointerHead = heads.isEmpty() || slot == FocusBus.CONSOLE || Integer.valueOf(slot).equals(shown.get(pointerHead));
        if (slot == current && onPointerHead) {
            return change(seq, cause);
        }
        if (!onPointerHead) {
            // to the monitor under the pointer; where the slot was shown, what that one showed goes
            String other = headShowing(slot);
            if (other != null) {
                shown.put(other, shown.get(pointerHead));
            }
            shown.put(pointerHead, slot);
            fill();
        }
        if (slot != current) {
            hook.focusMoving(current, slot);
            current = slot;
        }
        FocusChanged change = publish(cause);
        LOG.info("focus " + change.seq() + ": slot " + slot + " (" + slots.get(slot).name() + "), " + cause.name().toLowerCase()
                + (heads.isEmpty() ? "" : ", on " + pointerHead));
        return change;
    }

    /** The monitor showing {@code slot}, or null. */
    private String headShowing(int slot) {
        for (Map.Entry<String, Integer> e : shown.entrySet()) {
            if (e.getValue() != null && e.getValue() == slot) {
                return e.getKey();
            }
        }
        return null;
    }

    /** focus.set named a slot that cannot take the focus. */
    public static final class NoSuchSlotException extends Exception {
        private final boolean empty;

        public NoSuchSlotException(String message, boolean empty) {
            super(message);
            this.empty = empty;
        }

        /** True when the slot number is valid but holds no VM; false when it is not a slot at all. */
        public boolean empty() {
            return empty;
        }
    }
}
