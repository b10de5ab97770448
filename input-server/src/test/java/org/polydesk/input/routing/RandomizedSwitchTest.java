package org.polydesk.input.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.InputEvent;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.hotkey.Modifier;
import org.polydesk.input.testing.Keyboards;
import org.polydesk.input.testing.Recording;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusChanged;

/**
 * 10,000 switches by random chords (on either of two keyboards) and focus.set requests, with random
 * keys and mouse buttons held, auto-repeating and released around them, and a VM that stops and
 * starts now and then. Every guest is a model that counts what a user would suffer: a chord key
 * reaching it (leak), a release of a key it never got (leak), and keys left down (stuck).
 */
class RandomizedSwitchTest {
    static final int SWITCHES = 10_000;
    static final String[] ORDINARY = {"a", "s", "d", "f", "j", "k", "l", "space", "enter", "leftshift", "rightshift",
        "capslock", "tab", "1", "2"};
    static final String[] TRIGGERS = {"f1", "f2", "f3", "f12", "home", "left", "right"};
    static final int[] BUTTONS = {EventCodes.BTN_LEFT, EventCodes.BTN_RIGHT, EventCodes.BTN_MIDDLE};

    final Random random = new Random(20261124L);
    final Map<Integer, RecordingSink> sinks = new HashMap<>();
    final List<RecordingSink> retired = new ArrayList<>();
    /** Per device, what the test's fingers hold. */
    final Map<Integer, Set<Integer>> physical = new HashMap<>();
    FocusAuthority focus;
    InputRouter router;
    int switches;
    int switchesWithKeysHeld;

    @Test
    void tenThousandSwitchesWithKeysHeldLeakNothingAndLeaveNothingStuck() throws Exception {
        RecordingSink ui = new RecordingSink("ui");
        sinks.put(0, ui);
        focus = new FocusAuthority(ui);
        router = new InputRouter(focus, InputConfig.defaults());
        focus.subscribe(c -> switches++);
        UUID[] ids = new UUID[4];
        for (int slot = 1; slot <= 3; slot++) {
            ids[slot] = UUID.randomUUID();
            RecordingSink s = new RecordingSink("vm" + slot);
            sinks.put(slot, s);
            focus.vmStarted(slot, ids[slot], "vm" + slot, s);
        }
        for (int dev = 1; dev <= 3; dev++) {
            router.deviceAdded(dev, dev == 3 ? Keyboards.mouse("mouse") : Keyboards.keyboard("kb" + dev), (n, c, s) -> { });
            physical.put(dev, new HashSet<>());
        }
        int steps = 0;
        while (switches < SWITCHES) {
            step(ids);
            checkNothingHeldOutsideTheFocusedVm();
            steps++;
            assertTrue(steps < 5_000_000, "the random walk should switch often enough");
        }
        // Let go of everything.
        for (var e : physical.entrySet()) {
            for (int code : List.copyOf(e.getValue())) {
                release(e.getKey(), code);
            }
        }
        int leaks = 0;
        int stuck = 0;
        List<RecordingSink> all = new ArrayList<>(sinks.values());
        all.addAll(retired);
        for (RecordingSink s : all) {
            for (String k : s.keys()) {
                for (String t : TRIGGERS) {
                    if (k.equals("+" + t) || k.equals("-" + t)) {
                        leaks++;
                    }
                }
            }
            leaks += s.orphanReleases;
            stuck += s.closed ? 0 : s.down.size();
        }
        System.out.printf("randomized: %d switches (%d with ordinary keys or buttons held) in %d steps: %d leaked chord keys, %d stuck keys%n",
                switches, switchesWithKeysHeld, steps, leaks, stuck);
        assertEquals(0, leaks, "chord keys or orphan releases reached a guest");
        assertEquals(0, stuck, "keys left down in a guest");
        assertTrue(switches >= SWITCHES);
        assertTrue(switchesWithKeysHeld > SWITCHES / 4, "most switches happen with keys held: " + switchesWithKeysHeld);
    }

    private void step(UUID[] ids) throws Exception {
        int dice = random.nextInt(100);
        int kb = 1 + random.nextInt(2);
        if (dice < 30) {
            int code = Recording.code(ORDINARY[random.nextInt(ORDINARY.length)]);
            if (!physical.get(kb).contains(code)) {
                press(kb, code);
            }
        } else if (dice < 50) {
            releaseRandom(kb);
        } else if (dice < 58) {
            Set<Integer> held = physical.get(kb);
            if (!held.isEmpty()) {
                int code = held.stream().skip(random.nextInt(held.size())).findFirst().orElseThrow();
                send(kb, InputEvent.key(code, EventCodes.KEY_REPEAT));
            }
        } else if (dice < 66) {
            int b = BUTTONS[random.nextInt(BUTTONS.length)];
            if (physical.get(3).contains(b)) {
                release(3, b);
            } else {
                press(3, b);
            }
        } else if (dice < 70) {
            send(3, InputEvent.of(EventCodes.EV_REL, EventCodes.REL_X, random.nextInt(21) - 10));
            send(3, InputEvent.syn());
        } else if (dice < 90) {
            chord(kb);
        } else if (dice < 98) {
            int before = switches;
            boolean held = anythingOrdinaryHeld();
            int slot = random.nextInt(4);
            focus.set(slot, FocusChanged.Cause.REQUEST);
            if (switches > before && held) {
                switchesWithKeysHeld++;
            }
        } else {
            // VM 3 stops (crash) and starts again with a new QEMU.
            RecordingSink old = sinks.get(3);
            focus.vmStopped(ids[3]);
            retired.add(old);
            ids[3] = UUID.randomUUID();
            RecordingSink s = new RecordingSink("vm3'");
            sinks.put(3, s);
            focus.vmStarted(3, ids[3], "vm3", s);
        }
    }

    /** Ctrl and Alt (either side, maybe on the other keyboard), then a trigger; releases come later at random. */
    private void chord(int kb) {
        // Release Shift/Meta first so the chord is exactly Ctrl+Alt.
        for (int dev = 1; dev <= 2; dev++) {
            for (int code : List.copyOf(physical.get(dev))) {
                if (Modifier.of(code) == Modifier.SHIFT || Modifier.of(code) == Modifier.META) {
                    release(dev, code);
                }
            }
        }
        int modKb = random.nextBoolean() ? kb : 3 - kb;
        int ctrl = random.nextBoolean() ? EventCodes.KEY_LEFTCTRL : EventCodes.KEY_RIGHTCTRL;
        int alt = random.nextBoolean() ? EventCodes.KEY_LEFTALT : EventCodes.KEY_RIGHTALT;
        if (!modifierHeld(Modifier.CTRL)) {
            press(modKb, ctrl);
        }
        if (!modifierHeld(Modifier.ALT)) {
            press(modKb, alt);
        }
        int trigger = Recording.code(TRIGGERS[random.nextInt(TRIGGERS.length)]);
        if (physical.get(kb).contains(trigger)) {
            return;
        }
        boolean held = anythingOrdinaryHeld();
        int before = switches;
        press(kb, trigger);
        if (switches > before && held) {
            switchesWithKeysHeld++;
        }
        if (random.nextInt(3) == 0) {
            for (int i = random.nextInt(4); i > 0; i--) {
                send(kb, InputEvent.key(trigger, EventCodes.KEY_REPEAT));
            }
        }
        if (random.nextBoolean()) {
            release(kb, trigger);
        }
        if (random.nextInt(3) == 0) {
            for (int dev = 1; dev <= 2; dev++) {
                for (int code : List.copyOf(physical.get(dev))) {
                    if (Modifier.of(code) != null) {
                        release(dev, code);
                    }
                }
            }
        }
    }

    private boolean modifierHeld(Modifier m) {
        return physical.get(1).stream().anyMatch(m::isKey) || physical.get(2).stream().anyMatch(m::isKey);
    }

    private boolean anythingOrdinaryHeld() {
        for (var e : physical.entrySet()) {
            for (int code : e.getValue()) {
                if (Modifier.of(code) == null) {
                    return true;
                }
            }
        }
        return false;
    }

    private void releaseRandom(int kb) {
        Set<Integer> held = physical.get(kb);
        if (!held.isEmpty()) {
            release(kb, held.stream().skip(random.nextInt(held.size())).findFirst().orElseThrow());
        }
    }

    private void press(int dev, int code) {
        // A trigger pressed while Ctrl and Alt are not both held would be an ordinary key: never do that.
        for (String t : TRIGGERS) {
            if (Recording.code(t) == code && !(modifierHeld(Modifier.CTRL) && modifierHeld(Modifier.ALT))) {
                return;
            }
        }
        physical.get(dev).add(code);
        send(dev, InputEvent.key(code, EventCodes.KEY_PRESS));
        send(dev, InputEvent.syn());
    }

    private void release(int dev, int code) {
        physical.get(dev).remove(code);
        send(dev, InputEvent.key(code, EventCodes.KEY_RELEASE));
        send(dev, InputEvent.syn());
    }

    private void send(int dev, InputEvent e) {
        router.event(dev, e);
    }

    private void checkNothingHeldOutsideTheFocusedVm() {
        int focused = focus.focusedSlot();
        for (var e : sinks.entrySet()) {
            if (e.getKey() != focused && !e.getValue().down.isEmpty()) {
                throw new AssertionError("slot " + e.getKey() + " holds " + e.getValue().down + " while slot "
                        + focused + " has the focus");
            }
        }
    }
}
