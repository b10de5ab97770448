package org.polydesk.input.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.testing.Keyboards;
import org.polydesk.input.testing.Recording;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.PointerMoved;

/** The hotkey and focus state machine on recorded evdev streams, with model guests as sinks. */
class InputRouterTest {
    static final int KB1 = 1;
    static final int KB2 = 2;
    static final int MOUSE = 3;
    static final int TABLET = 4;

    final RecordingSink ui = new RecordingSink("ui");
    final RecordingSink vm1 = new RecordingSink("vm1");
    final RecordingSink vm2 = new RecordingSink("vm2");
    final UUID id1 = UUID.randomUUID();
    final UUID id2 = UUID.randomUUID();
    final Keyboards.LedLog leds1 = new Keyboards.LedLog();
    final Keyboards.LedLog leds2 = new Keyboards.LedLog();
    final List<FocusChanged> changes = new ArrayList<>();
    FocusAuthority focus;
    InputRouter router;

    @BeforeEach
    void setUp() throws Exception {
        focus = new FocusAuthority(ui);
        InputConfig cfg = InputConfig.defaults();
        router = new InputRouter(focus, new InputConfig(cfg.hotkeys(), 1001, 501, null));
        focus.vmStarted(1, id1, "one", vm1);
        focus.vmStarted(2, id2, "two", vm2);
        focus.subscribe(changes::add);
        router.deviceAdded(KB1, Keyboards.keyboard("kb1"), leds1);
        router.deviceAdded(KB2, Keyboards.keyboard("kb2"), leds2);
        router.deviceAdded(MOUSE, Keyboards.mouse("mouse"), (n, c, s) -> { });
        focus.set(1, FocusChanged.Cause.REQUEST); // seq 1
        changes.clear();
        vm1.clear(); // the pointer's place, sent when vm1 gained focus
    }

    void play(int device, Recording r) {
        Keyboards.play(router, device, r);
    }

    @Test
    void keysGoToTheFocusedVmOnly() {
        play(KB1, new Recording().type("h", "i"));
        assertEquals(List.of("+h", "-h", "+i", "-i"), vm1.keys());
        assertEquals(List.of(), vm2.keys());
        assertEquals(List.of(), ui.keys());
        assertTrue(vm1.flushes >= 4, "each frame is flushed");
    }

    @Test
    void aSwitchingChordNeverReachesAGuestNotEvenTheModifiersRelease() {
        play(KB1, new Recording().chord("leftctrl", "leftalt", "f2").type("x"));
        assertEquals(2, focus.focusedSlot());
        // vm1 saw Ctrl and Alt go down before the chord was complete, and both released at the switch.
        assertEquals(List.of("+leftctrl", "+leftalt", "-leftctrl", "-leftalt"), sorted(vm1.keys()));
        assertTrue(vm1.down.isEmpty(), "nothing stays held in vm1");
        // vm2 gets x, and nothing of the chord: no F2, no orphan Ctrl/Alt releases.
        assertEquals(List.of("+x", "-x"), vm2.keys());
        assertEquals(0, vm1.orphanReleases + vm2.orphanReleases);
        assertEquals(List.of(new FocusChanged(2, 2, id2, FocusChanged.Cause.HOTKEY)), changes);
    }

    /** vm1's releases come in the order the HashMap keeps; what matters is the set and that all came. */
    static List<String> sorted(List<String> keys) {
        List<String> presses = keys.stream().filter(k -> k.startsWith("+")).toList();
        List<String> releases = keys.stream().filter(k -> k.startsWith("-")).sorted((a, b) ->
                Integer.compare(presses.indexOf("+" + a.substring(1)), presses.indexOf("+" + b.substring(1)))).toList();
        List<String> all = new ArrayList<>(presses);
        all.addAll(releases);
        return all;
    }

    @Test
    void keysHeldAtASwitchAreReleasedInTheVmLosingFocusAndDoNotFollow() throws Exception {
        // Shift and 'a' held in vm1 while the UI moves the focus (focus.set): no stuck Shift in vm1.
        play(KB1, new Recording().down("leftshift", "a").repeat("a", 3));
        focus.set(2, FocusChanged.Cause.REQUEST);
        assertEquals(List.of(), List.copyOf(vm1.down), "vm1 holds nothing after losing focus");
        // Auto-repeat of the key still held goes nowhere now, and its release reaches no one.
        play(KB1, new Recording().repeat("a", 5).up("a").type("b").up("leftshift"));
        assertEquals(List.of("+b", "-b"), vm2.keys(), "vm2 types b without a Shift it never saw pressed");
        assertEquals(0, vm1.orphanReleases + vm2.orphanReleases);
        long aDowns = vm1.keys().stream().filter("+a"::equals).count();
        assertEquals(4, aDowns, "the press and 3 repeats reached vm1, nothing after the switch");
    }

    @Test
    void autoRepeatFollowsThePressAndTheChordKeysRepeatIsSwallowed() {
        play(KB1, new Recording().down("j").repeat("j", 2).up("j"));
        assertEquals(List.of("+j", "+j", "+j", "-j"), vm1.keys());
        vm1.clear();
        // Holding the chord long enough for the keyboard to repeat F2.
        play(KB1, new Recording().down("leftctrl", "leftalt", "f2").repeat("f2", 10).up("f2", "leftalt", "leftctrl"));
        assertEquals(2, focus.focusedSlot());
        assertFalse(vm1.keys().contains("+f2") || vm2.keys().contains("+f2"), "F2 never reaches a guest");
        assertEquals(List.of(), vm2.keys());
    }

    @Test
    void twoKeyboardsAtOnce() {
        // Shift on one keyboard, letters on the other: one guest, one Shift.
        play(KB1, new Recording().down("leftshift"));
        play(KB2, new Recording().type("q").down("leftshift"));
        play(KB1, new Recording().up("leftshift"));
        assertEquals(List.of("+leftshift", "+q", "-q"), vm1.keys(), "Shift stays held while the second keyboard holds it");
        play(KB2, new Recording().up("leftshift"));
        assertEquals("-leftshift", vm1.keys().get(vm1.keys().size() - 1));
        // A chord played across both keyboards still switches and still leaks nothing.
        vm1.clear();
        play(KB1, new Recording().down("rightctrl", "rightalt"));
        play(KB2, new Recording().type("f2"));
        play(KB1, new Recording().up("rightalt", "rightctrl"));
        play(KB2, new Recording().type("k"));
        assertEquals(2, focus.focusedSlot());
        assertEquals(List.of("+k", "-k"), vm2.keys());
        assertTrue(vm1.down.isEmpty());
        assertEquals(0, vm1.orphanReleases + vm2.orphanReleases);
    }

    @Test
    void aChordOfModifiersHeldOnBothSidesIsStillTheChord() {
        play(KB1, new Recording().down("leftctrl", "rightctrl", "leftalt", "f12"));
        assertEquals(0, focus.focusedSlot());
    }

    @Test
    void anExtraModifierMakesItNotAChord() {
        play(KB1, new Recording().chord("leftctrl", "leftalt", "leftshift", "f2"));
        assertEquals(1, focus.focusedSlot());
        assertTrue(vm1.keys().contains("+f2"), "Ctrl+Alt+Shift+F2 is an ordinary key combination for the VM");
    }

    @Test
    void aChordToAnEmptySlotIsSwallowedAndMovesNothing() {
        play(KB1, new Recording().chord("leftctrl", "leftalt", "f7").type("z"));
        assertEquals(1, focus.focusedSlot());
        assertFalse(vm1.keys().contains("+f7"));
        assertEquals(List.of(), changes);
        assertTrue(vm1.keys().containsAll(List.of("+z", "-z")));
    }

    @Test
    void cycleWithLeftAndRightGoesThroughRunningSlotsAndTheUi() {
        play(KB1, new Recording().down("leftctrl", "leftalt").type("right"));
        assertEquals(2, focus.focusedSlot());
        play(KB1, new Recording().type("right"));
        assertEquals(0, focus.focusedSlot());
        play(KB1, new Recording().type("right"));
        assertEquals(1, focus.focusedSlot());
        play(KB1, new Recording().type("left", "left"));
        assertEquals(2, focus.focusedSlot());
        play(KB1, new Recording().type("home").up("leftalt", "leftctrl"));
        assertEquals(0, focus.focusedSlot());
        for (RecordingSink s : List.of(ui, vm1, vm2)) {
            assertFalse(s.keys().stream().anyMatch(k -> k.endsWith("right") || k.endsWith("left") || k.endsWith("home")),
                    s.describe() + " got a chord key: " + s.keys());
            assertTrue(s.down.isEmpty(), s.describe() + " has stuck keys " + s.down);
            assertEquals(0, s.orphanReleases);
        }
    }

    @Test
    void eachVmKeepsItsLockKeysAndTheLedsShowTheFocusedOnes() throws Exception {
        play(KB1, new Recording().type("capslock"));
        assertEquals("-C-", leds1.last());
        assertEquals("-C-", leds2.last(), "every keyboard shows the focused VM's locks");
        focus.set(2, FocusChanged.Cause.REQUEST);
        assertEquals("---", leds1.last());
        play(KB2, new Recording().type("numlock"));
        assertEquals("N--", leds1.last());
        focus.set(1, FocusChanged.Cause.REQUEST);
        assertEquals("-C-", leds1.last());
        assertTrue(router.locks(1).caps() && !router.locks(1).num());
        assertTrue(router.locks(2).num() && !router.locks(2).caps());
    }

    @Test
    void aVanishedKeyboardReleasesWhatItHeld() {
        play(KB2, new Recording().down("leftctrl", "c"));
        router.deviceRemoved(KB2);
        assertTrue(vm1.down.isEmpty(), "unplugging with keys held leaves none stuck: " + vm1.down);
        play(KB2, new Recording().type("d"));
        assertFalse(vm1.keys().contains("+d"), "events of a removed device are ignored");
    }

    @Test
    void whenTheFocusedVmStopsTheFocusFallsBackToTheControlUi() {
        play(KB1, new Recording().down("leftalt"));
        focus.vmStopped(id1);
        assertEquals(0, focus.focusedSlot());
        assertEquals(new FocusChanged(2, 0, null, FocusChanged.Cause.VM_GONE), changes.get(0));
        assertTrue(vm1.closed, "the gone VM's sink is closed");
        play(KB1, new Recording().up("leftalt").type("u"));
        assertEquals(List.of("+u", "-u"), ui.keys(), "the UI gets new keys, not the orphan Alt release");
        assertFalse(focus.occupied(1));
    }

    @Test
    void mouseButtonsAndWheelAndMotion() {
        play(MOUSE, new Recording().rel(10, -5).button(EventCodes.BTN_LEFT, true).wheel(-2)
                .button(EventCodes.BTN_LEFT, false));
        assertEquals(List.of("move 10,-5 0.510,0.490", "btn+272", "wheel -2,0", "btn-272"), vm1.log);
        // The pointer stays on the screen however far the mouse goes.
        vm1.clear();
        play(MOUSE, new Recording().rel(-100000, 100000));
        assertEquals(List.of("move -100000,100000 0.000,1.000"), vm1.log);
    }

    @Test
    void aButtonHeldAcrossASwitchIsReleasedInTheOldVm() throws Exception {
        play(MOUSE, new Recording().button(EventCodes.BTN_RIGHT, true));
        focus.set(2, FocusChanged.Cause.REQUEST);
        assertTrue(vm1.down.isEmpty(), "no drag stuck in vm1");
        play(MOUSE, new Recording().button(EventCodes.BTN_RIGHT, false).rel(1, 1));
        assertEquals(0, vm2.orphanReleases);
        assertFalse(vm2.log.contains("btn-273"));
    }

    @Test
    void anAbsoluteDeviceSetsThePointerInScreenCoordinates() {
        router.deviceAdded(TABLET, Keyboards.tablet("tablet"), (n, c, s) -> { });
        play(TABLET, new Recording().abs(32767, 0));
        assertEquals(List.of("move 500,-250 1.000,0.000"), vm1.log);
        vm1.clear();
        play(MOUSE, new Recording().rel(-1000, 0));
        assertEquals(List.of("move -1000,0 0.000,0.000"), vm1.log);
    }

    @Test
    void thePointersPlaceIsPublishedOnlyForASlotWhoseInputIsAbsolute() throws Exception {
        RecordingSink tablet = new RecordingSink("vm3", true);
        focus.vmStarted(3, UUID.randomUUID(), "three", tablet);
        List<PointerMoved> places = new ArrayList<>();
        assertNull(focus.subscribePointer(places::add), "no place known yet");
        play(MOUSE, new Recording().rel(10, -5));
        assertEquals(List.of(), places, "vm1's mouse is relative: its guest alone knows where its pointer is");
        focus.set(3, FocusChanged.Cause.REQUEST);
        assertEquals(List.of(new PointerMoved(3, 0.51, 0.49)), places, "vm3's tablet is put where the pointer is");
        play(MOUSE, new Recording().rel(490, 1000));
        assertEquals(new PointerMoved(3, 1.0, 1.0), places.get(1));
        focus.set(2, FocusChanged.Cause.REQUEST);
        play(MOUSE, new Recording().rel(-20, -20));
        assertEquals(2, places.size(), "nothing while relative vm2 has the focus");
        assertNull(focus.subscribePointer(p -> { }), "a later subscriber gets no place of an unfocused slot");
        focus.set(3, FocusChanged.Cause.REQUEST);
        assertEquals(new PointerMoved(3, 0.98, 0.96), places.get(2));
        assertEquals(places.get(2), focus.subscribePointer(p -> { }), "a later subscriber gets the focused slot's place");
    }

    @Test
    void atStartTheControlUisPointerIsPlacedInTheMiddleAndPublished() {
        RecordingSink xvnc = new RecordingSink("ui", true);
        FocusAuthority authority = new FocusAuthority(xvnc);
        InputRouter r = new InputRouter(authority, new InputConfig(InputConfig.defaults().hotkeys(), 1001, 501, null));
        List<PointerMoved> places = new ArrayList<>();
        authority.subscribePointer(places::add);
        r.placePointer();
        assertEquals(List.of("move 0,0 0.500,0.500"), xvnc.log);
        assertEquals(List.of(new PointerMoved(0, 0.5, 0.5)), places);
    }

    @Test
    void afterSynDroppedTheBrokenFrameIsIgnored() {
        play(MOUSE, new Recording().raw(EventCodes.EV_REL, EventCodes.REL_X, 50)
                .raw(EventCodes.EV_SYN, EventCodes.SYN_DROPPED, 0).raw(EventCodes.EV_REL, EventCodes.REL_X, 7)
                .raw(EventCodes.EV_SYN, EventCodes.SYN_REPORT, 0).rel(3, 0));
        assertEquals(List.of("move 3,0 0.503,0.500"), vm1.log);
    }
}
