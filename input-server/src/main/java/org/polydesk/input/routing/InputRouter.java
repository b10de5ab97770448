package org.polydesk.input.routing;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.polydesk.input.evdev.Capabilities;
import org.polydesk.input.evdev.DeviceKind;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.InputEvent;
import org.polydesk.input.evdev.InputListener;
import org.polydesk.input.evdev.KeyTable;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.hotkey.Chord;
import org.polydesk.input.hotkey.HotkeyAction;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.hotkey.Modifier;
import org.polydesk.input.sink.InputSink;
import org.polydesk.protocol.focus.Head;
import org.polydesk.protocol.focus.PointerMoved;

/**
 * The hotkey and routing state machine: every device's events come here and go to the focused
 * VM's sink, except switching chords.
 *
 * <p>Rules, per key or button held on a device:
 * <ul>
 * <li>a press goes to the VM focused at that moment, and that key's repeats and release follow it
 *     there, wherever the focus is by then;</li>
 * <li>a press that completes a chord (its modifiers held, on any keyboard) goes nowhere, nor do its
 *     repeats or release: the chord's key never reaches a guest;</li>
 * <li>at a switch, everything held in the VM losing focus is released there at once, and those keys
 *     are ignored until they are physically released: the chord's modifiers, released by the user
 *     after the switch, reach no guest;</li>
 * <li>each VM sees a key as held while any device holds it (two keyboards, one Shift each);</li>
 * <li>a device that vanishes releases what it held.</li>
 * </ul>
 * Caps, Num and Scroll Lock are toggled per VM by the presses it receives, and the keyboards' LEDs
 * show the focused VM's. The pointer's place is kept in screen pixels and handed to sinks both as
 * a delta and as a fraction of the screen; where the focused sink takes it absolutely, that place
 * is the guest's pointer and is published to the focus bus (for dom0 to draw the pointer).
 * With several monitors the place is in the desktop they make: it crosses from one to another where
 * they touch (and slides along an edge where none is), a tablet spans them all, and the fractions a
 * sink gets are of the monitor it is on, which the authority is told of when it changes.
 */
public final class InputRouter implements InputListener, FocusAuthority.SwitchHook {
    private static final Logger LOG = Logger.getLogger(InputRouter.class.getName());
    /** The route of a held key that reaches no VM (a chord key, or one released by a switch). */
    private static final int NOWHERE = -1;

    private final FocusAuthority focus;
    /** Replaced whole by {@link #setHotkeys}, read under the authority's lock. */
    private Map<Chord, HotkeyAction> hotkeys;
    /** The one screen, while the display server has named no monitors. */
    private final Head screen;
    private final Map<Integer, Device> devices = new HashMap<>();
    /** Per slot: the keys and buttons that slot's VM holds down, with how many device keys hold each. */
    private final Map<Integer, Map<Integer, Integer>> held = new HashMap<>();
    private final Map<Integer, LockState> locks = new HashMap<>();
    /** Every physically held key, on every device, counted. */
    private final Map<Integer, Integer> physical = new HashMap<>();
    private final Set<InputSink> dirty = new HashSet<>();
    private double pointerX;
    private double pointerY;

    private static final class Device {
        final Capabilities caps;
        final Leds leds;
        final boolean keyboard;
        final boolean touchpad;
        final boolean absolute;
        /** Held key code → slot it was delivered to, or NOWHERE. */
        final Map<Integer, Integer> routes = new HashMap<>();
        int dx;
        int dy;
        int wheel;
        int hwheel;
        int absX = Integer.MIN_VALUE;
        int absY = Integer.MIN_VALUE;
        boolean absMoved;
        /** A touchpad's last finger position, to turn its absolute positions into motion. */
        int lastX = Integer.MIN_VALUE;
        int lastY = Integer.MIN_VALUE;
        boolean touching;
        boolean dropping;

        Device(Capabilities caps, Leds leds) {
            this.caps = caps;
            this.leds = leds;
            DeviceKind kind = caps.kind();
            this.keyboard = kind == DeviceKind.KEYBOARD || caps.leds().get(EventCodes.LED_CAPSL);
            this.absolute = kind == DeviceKind.ABSOLUTE;
            this.touchpad = absolute && caps.isTouchpad();
        }
    }

    public InputRouter(FocusAuthority focus, InputConfig config) {
        this.focus = focus;
        this.hotkeys = Map.copyOf(config.hotkeys());
        this.screen = new Head("screen", 0, 0, config.screenWidth(), config.screenHeight());
        this.pointerX = (screen.width() - 1) / 2.0;
        this.pointerY = (screen.height() - 1) / 2.0;
        focus.setHook(this);
    }

    /**
     * The chords from the next key press on (input.config.set). Keys already held keep their routes:
     * a chord key held now was swallowed and stays so until released.
     */
    public void setHotkeys(Map<Chord, HotkeyAction> next) {
        synchronized (focus) {
            hotkeys = Map.copyOf(next);
        }
    }

    @Override
    public void deviceAdded(int device, Capabilities capabilities, Leds leds) {
        synchronized (focus) {
            Device d = new Device(capabilities, leds);
            devices.put(device, d);
            if (d.keyboard) {
                LockState s = lockState(focus.focusedSlot());
                d.leds.set(s.num, s.caps, s.scroll);
            }
        }
    }

    @Override
    public void deviceRemoved(int device) {
        synchronized (focus) {
            Device d = devices.remove(device);
            if (d == null) {
                return;
            }
            for (Map.Entry<Integer, Integer> r : d.routes.entrySet()) {
                unpress(r.getKey());
                if (r.getValue() != NOWHERE) {
                    deliverRelease(r.getValue(), r.getKey());
                }
            }
            flushDirty();
        }
    }

    @Override
    public void event(int device, InputEvent e) {
        synchronized (focus) {
            Device d = devices.get(device);
            if (d == null) {
                return;
            }
            if (d.dropping) {
                // After SYN_DROPPED the kernel's frame is incomplete until the next SYN_REPORT.
                if (e.isSynReport()) {
                    d.dropping = false;
                }
                return;
            }
            switch (e.type()) {
                case EventCodes.EV_KEY -> key(d, e.code(), e.value());
                case EventCodes.EV_REL -> rel(d, e.code(), e.value());
                case EventCodes.EV_ABS -> abs(d, e.code(), e.value());
                case EventCodes.EV_SYN -> {
                    if (e.code() == EventCodes.SYN_REPORT) {
                        frame(d);
                    } else if (e.code() == EventCodes.SYN_DROPPED) {
                        d.dropping = true;
                        d.dx = d.dy = d.wheel = d.hwheel = 0;
                        d.absMoved = false;
                    }
                }
                default -> {
                    // EV_MSC scan codes, EV_LED echoes, EV_REP settings: nothing for a guest
                }
            }
        }
    }

    private void key(Device d, int code, int value) {
        if (code == EventCodes.BTN_TOUCH || code == EventCodes.BTN_TOOL_FINGER) {
            if (d.touchpad || code == EventCodes.BTN_TOOL_FINGER) {
                d.touching = value != 0;
                if (!d.touching) {
                    d.lastX = d.lastY = Integer.MIN_VALUE;
                }
                return;
            }
            code = EventCodes.BTN_LEFT; // a touch screen's or a tablet's touch is a left click
        }
        boolean button = code >= EventCodes.BTN_LEFT && code <= EventCodes.BTN_EXTRA;
        if (!button && (EventCodes.isButton(code) || KeyTable.byCode(code) == null)) {
            return; // joystick buttons, pen tools, keys no guest protocol can carry
        }
        Integer route = d.routes.get(code);
        if (value == EventCodes.KEY_RELEASE) {
            if (route == null) {
                return; // released a key pressed before the device was grabbed
            }
            d.routes.remove(code);
            unpress(code);
            if (route != NOWHERE) {
                deliverRelease(route, code);
                flushDirty();
            }
            return;
        }
        if (route != null || value == EventCodes.KEY_REPEAT) {
            // Auto-repeat (or a second press without a release): goes where the press went, if anywhere.
            if (route != null && route != NOWHERE && !button) {
                InputSink s = focus.sink(route);
                if (s != null) {
                    s.key(code, true);
                    dirty.add(s);
                }
            }
            return;
        }
        // A new press.
        physical.merge(code, 1, Integer::sum);
        HotkeyAction action = button ? null : chord(code);
        if (action != null) {
            d.routes.put(code, NOWHERE);
            focus.hotkey(action);
            flushDirty();
            return;
        }
        int slot = focus.focusedSlot();
        d.routes.put(code, slot);
        deliverPress(slot, code);
    }

    private void unpress(int code) {
        physical.computeIfPresent(code, (k, n) -> n == 1 ? null : n - 1);
    }

    private HotkeyAction chord(int code) {
        EnumSet<Modifier> mods = EnumSet.noneOf(Modifier.class);
        for (int held : physical.keySet()) {
            Modifier m = Modifier.of(held);
            if (m != null) {
                mods.add(m);
            }
        }
        if (mods.isEmpty()) {
            return null;
        }
        return hotkeys.get(new Chord(mods, code));
    }

    private void deliverPress(int slot, int code) {
        int n = held.computeIfAbsent(slot, k -> new HashMap<>()).merge(code, 1, Integer::sum);
        if (n != 1) {
            return;
        }
        InputSink s = focus.sink(slot);
        if (s != null) {
            send(s, code, true);
        }
        if (EventCodes.isLockKey(code)) {
            LockState st = lockState(slot);
            switch (code) {
                case EventCodes.KEY_CAPSLOCK -> st.caps = !st.caps;
                case EventCodes.KEY_NUMLOCK -> st.num = !st.num;
                default -> st.scroll = !st.scroll;
            }
            if (slot == focus.focusedSlot()) {
                showLeds(st);
            }
        }
    }

    private void deliverRelease(int slot, int code) {
        Map<Integer, Integer> h = held.get(slot);
        if (h == null || !h.containsKey(code)) {
            return;
        }
        int n = h.merge(code, -1, Integer::sum);
        if (n > 0) {
            return;
        }
        h.remove(code);
        InputSink s = focus.sink(slot);
        if (s != null) {
            send(s, code, false);
        }
    }

    private void send(InputSink s, int code, boolean down) {
        if (EventCodes.isButton(code)) {
            s.button(code, down);
        } else {
            s.key(code, down);
        }
        dirty.add(s);
    }

    private void rel(Device d, int code, int value) {
        switch (code) {
            case EventCodes.REL_X -> d.dx += value;
            case EventCodes.REL_Y -> d.dy += value;
            case EventCodes.REL_WHEEL -> d.wheel += value;
            case EventCodes.REL_HWHEEL -> d.hwheel += value;
            default -> {
                // high-resolution wheel events come with their low-resolution twins, used instead
            }
        }
    }

    private void abs(Device d, int code, int value) {
        if (code == EventCodes.ABS_X) {
            d.absX = value;
            d.absMoved = true;
        } else if (code == EventCodes.ABS_Y) {
            d.absY = value;
            d.absMoved = true;
        }
    }

    /** SYN_REPORT: the device's frame is complete; move the pointer and send what it made. */
    private void frame(Device d) {
        int dx = d.dx;
        int dy = d.dy;
        d.dx = d.dy = 0;
        double oldX = pointerX;
        double oldY = pointerY;
        boolean moved = false;
        if (d.absMoved && d.absX != Integer.MIN_VALUE && d.absY != Integer.MIN_VALUE && d.caps.x() != null) {
            d.absMoved = false;
            if (d.touchpad) {
                if (d.touching && d.lastX != Integer.MIN_VALUE) {
                    dx += d.absX - d.lastX;
                    dy += d.absY - d.lastY;
                }
                if (d.touching) {
                    d.lastX = d.absX;
                    d.lastY = d.absY;
                }
            } else {
                // a tablet or touch screen spans the whole desktop
                double left = Double.MAX_VALUE, top = Double.MAX_VALUE, right = -Double.MAX_VALUE, bottom = -Double.MAX_VALUE;
                for (Head h : heads()) {
                    left = Math.min(left, h.x());
                    top = Math.min(top, h.y());
                    right = Math.max(right, h.x() + h.width() - 1);
                    bottom = Math.max(bottom, h.y() + h.height() - 1);
                }
                jumpTo(left + d.caps.x().fraction(d.absX) * (right - left), top + d.caps.y().fraction(d.absY) * (bottom - top));
                moved = true;
            }
        }
        if (dx != 0 || dy != 0) {
            slide(dx, dy);
            moved = true;
        }
        if (moved) {
            // Relative sinks get the device's own delta; an absolute device's jump becomes one in pixels.
            int rdx = d.absolute && !d.touchpad ? (int) Math.round(pointerX - oldX) : dx;
            int rdy = d.absolute && !d.touchpad ? (int) Math.round(pointerY - oldY) : dy;
            Head on = pointerHead();
            if (focus.heads().size() > 0 && !on.name().equals(focus.pointerHead().name())) {
                focus.pointerOn(on.name()); // the keyboard follows onto this monitor's slot
            }
            int slot = focus.focusedSlot();
            InputSink s = focus.sink(slot);
            if (s != null && showsFocused(on)) {
                s.motion(rdx, rdy, fractionX(), fractionY());
                dirty.add(s);
                publishPointer(slot, s);
            }
        }
        if (d.wheel != 0 || d.hwheel != 0) {
            InputSink s = focus.sink(focus.focusedSlot());
            if (s != null) {
                s.wheel(d.wheel, d.hwheel);
                dirty.add(s);
            }
            d.wheel = d.hwheel = 0;
        }
        flushDirty();
    }

    /**
     * Puts the focused VM's pointer where the router has it (the screen's centre at start), so an
     * absolute guest's pointer is where the focus bus says from the first moment, not from the
     * first move.
     */
    public void placePointer() {
        synchronized (focus) {
            int slot = focus.focusedSlot();
            InputSink s = focus.sink(slot);
            if (s != null) {
                s.motion(0, 0, fractionX(), fractionY());
                s.flush();
                publishPointer(slot, s);
            }
        }
    }

    /** Where {@code sink} just put {@code slot}'s pointer, if it takes places: that is where the guest's pointer is. */
    private void publishPointer(int slot, InputSink sink) {
        if (sink.absolute()) {
            focus.pointerMoved(new PointerMoved(slot, fractionX(), fractionY()));
        }
    }

    /** The monitors, or the one screen while none are known. */
    private List<Head> heads() {
        List<Head> heads = focus.heads();
        return heads.isEmpty() ? List.of(screen) : heads;
    }

    /** The monitor the pointer is on. */
    private Head pointerHead() {
        Head at = headAt(pointerX, pointerY);
        if (at != null) {
            return at;
        }
        Head on = focus.pointerHead();
        return on != null ? on : screen;
    }

    /** Whether the monitor shows the slot that has the keyboard: only then does that VM get the pointer. */
    private boolean showsFocused(Head on) {
        return focus.heads().isEmpty() || Integer.valueOf(focus.focusedSlot()).equals(focus.shownOn(on.name()));
    }

    /**
     * Moves the pointer by (dx, dy), first across then down, as a hand would: it crosses onto a
     * monitor where one touches the edge it reaches, and stops at an edge where none does.
     */
    private void slide(double dx, double dy) {
        pointerX = along(pointerX, pointerY, dx, true);
        pointerY = along(pointerY, pointerX, dy, false);
    }

    /** The place {@code from + delta} on one axis, at {@code across} on the other, as far as monitors go. */
    private double along(double from, double across, double delta, boolean horizontal) {
        if (delta == 0) {
            return from;
        }
        Head h = pointerHead();
        double to = from + delta;
        while (true) {
            double lo = horizontal ? h.x() : h.y();
            double hi = lo + (horizontal ? h.width() : h.height()) - 1;
            if (to >= lo && to <= hi) {
                return to;
            }
            double edge = to > hi ? hi : lo;
            double beyond = to > hi ? hi + 1 : lo - 1;
            Head next = horizontal ? headAt(beyond, across) : headAt(across, beyond);
            if (next == null) {
                return edge;
            }
            h = next;
        }
    }

    /** An absolute device's place: where that is on no monitor (a gap in the desktop), the nearest place that is. */
    private void jumpTo(double x, double y) {
        double best = Double.MAX_VALUE;
        for (Head h : heads()) {
            double cx = clamp(x, h.x(), h.x() + h.width() - 1);
            double cy = clamp(y, h.y(), h.y() + h.height() - 1);
            double d = (cx - x) * (cx - x) + (cy - y) * (cy - y);
            if (d < best) {
                best = d;
                pointerX = cx;
                pointerY = cy;
            }
        }
    }

    private Head headAt(double x, double y) {
        for (Head h : heads()) {
            if (h.contains(x, y)) {
                return h;
            }
        }
        return null;
    }

    /** The pointer's place across the monitor it is on, 0 to 1. */
    private double fractionX() {
        Head on = pointerHead();
        return on.width() <= 1 ? 0 : clamp((pointerX - on.x()) / (on.width() - 1), 0, 1);
    }

    private double fractionY() {
        Head on = pointerHead();
        return on.height() <= 1 ? 0 : clamp((pointerY - on.y()) / (on.height() - 1), 0, 1);
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(max, v));
    }

    private void flushDirty() {
        if (dirty.isEmpty()) {
            return;
        }
        for (InputSink s : dirty) {
            s.flush();
        }
        dirty.clear();
    }

    private LockState lockState(int slot) {
        return locks.computeIfAbsent(slot, k -> new LockState());
    }

    private void showLeds(LockState st) {
        for (Device d : devices.values()) {
            if (d.keyboard) {
                d.leds.set(st.num, st.caps, st.scroll);
            }
        }
    }

    @Override
    public void focusMoving(int from, int to) {
        // Keys held in the VM losing focus: released there, then ignored until physically released.
        for (Device d : devices.values()) {
            for (Map.Entry<Integer, Integer> r : d.routes.entrySet()) {
                if (r.getValue() == from) {
                    r.setValue(NOWHERE);
                }
            }
        }
        Map<Integer, Integer> h = held.remove(from);
        InputSink old = focus.sink(from);
        if (h != null && old != null) {
            List<Integer> codes = new ArrayList<>(h.keySet());
            for (int code : codes) {
                send(old, code, false);
            }
        }
        InputSink next = focus.sink(to);
        if (next != null) {
            // The new VM's pointer goes where the user last saw it (absolute devices only).
            next.motion(0, 0, fractionX(), fractionY());
            dirty.add(next);
            publishPointer(to, next);
        }
        flushDirty();
        showLeds(lockState(to));
    }

    /** The monitors changed: a pointer left on none goes to the middle of the one under it now. */
    @Override
    public void headsChanged() {
        if (headAt(pointerX, pointerY) != null) {
            return;
        }
        Head on = focus.pointerHead();
        pointerX = on.x() + (on.width() - 1) / 2.0;
        pointerY = on.y() + (on.height() - 1) / 2.0;
    }

    @Override
    public void slotGone(int slot) {
        for (Device d : devices.values()) {
            for (Map.Entry<Integer, Integer> r : d.routes.entrySet()) {
                if (r.getValue() == slot) {
                    r.setValue(NOWHERE);
                }
            }
        }
        held.remove(slot);
        locks.remove(slot);
    }

    /** For tests and diagnostics: the keys the router believes a slot's VM holds down. */
    public Set<Integer> heldIn(int slot) {
        synchronized (focus) {
            Map<Integer, Integer> h = held.get(slot);
            return h == null ? Set.of() : Set.copyOf(h.keySet());
        }
    }

    public LockState locks(int slot) {
        synchronized (focus) {
            return lockState(slot);
        }
    }
}
