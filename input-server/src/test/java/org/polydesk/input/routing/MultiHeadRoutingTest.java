package org.polydesk.input.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.testing.Keyboards;
import org.polydesk.input.testing.Recording;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.Head;
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.protocol.focus.HeadShown;

/**
 * Two monitors side by side (a 1000x500 one on the left, a 800x600 one on the right): each shows a
 * slot of its own, a chord changes the one under the pointer only, the pointer crossing moves the
 * keyboard, and a monitor that goes hands its slot to the one left.
 */
class MultiHeadRoutingTest {
    static final int KB = 1;
    static final int MOUSE = 2;
    static final int TABLET = 3;
    static final Head LEFT = new Head("eDP-1", 0, 0, 1000, 500);
    static final Head RIGHT = new Head("HDMI-A-1", 1000, 0, 800, 600);

    final RecordingSink ui = new RecordingSink("ui");
    final RecordingSink vm1 = new RecordingSink("vm1");
    final RecordingSink vm2 = new RecordingSink("vm2", true);
    final RecordingSink vm3 = new RecordingSink("vm3");
    final List<FocusChanged> changes = new ArrayList<>();
    FocusAuthority focus;
    InputRouter router;

    @BeforeEach
    void setUp() {
        focus = new FocusAuthority(ui);
        InputConfig cfg = InputConfig.defaults();
        router = new InputRouter(focus, new InputConfig(cfg.hotkeys(), 1024, 768, null));
        focus.vmStarted(1, UUID.randomUUID(), "one", vm1);
        focus.vmStarted(2, UUID.randomUUID(), "two", vm2);
        focus.vmStarted(3, UUID.randomUUID(), "three", vm3);
        router.deviceAdded(KB, Keyboards.keyboard("kb"), (n, c, s) -> { });
        router.deviceAdded(MOUSE, Keyboards.mouse("mouse"), (n, c, s) -> { });
        router.deviceAdded(TABLET, Keyboards.tablet("tablet"), (n, c, s) -> { });
        focus.subscribe(changes::add);
    }

    void play(int device, Recording r) {
        Keyboards.play(router, device, r);
    }

    Map<String, Integer> shown() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (HeadShown h : changes.get(changes.size() - 1).heads()) {
            m.put(h.head(), h.slot());
        }
        return m;
    }

    @Test
    void eachMonitorShowsASlotOfItsOwnAndAChordChangesOnlyTheOneUnderThePointer() {
        FocusChanged first = focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        assertEquals(Map.of("eDP-1", 0, "HDMI-A-1", 1), shown(), "the focused UI stays; the free monitor takes slot 1");
        assertEquals("eDP-1", first.head());
        assertEquals(0, first.slot());

        play(KB, new Recording().chord("leftctrl", "leftalt", "f2").type("a"));
        assertEquals(Map.of("eDP-1", 2, "HDMI-A-1", 1), shown(), "only the monitor under the pointer changed");
        assertEquals(List.of("+a", "-a"), vm2.keys());

        // the pointer starts in the left one's middle: 700 px right crosses onto the right one
        play(MOUSE, new Recording().rel(700, 0));
        FocusChanged crossed = changes.get(changes.size() - 1);
        assertEquals(FocusChanged.Cause.POINTER, crossed.cause());
        assertEquals("HDMI-A-1", crossed.head());
        assertEquals(1, crossed.slot(), "the keyboard follows the pointer to slot 1");
        play(KB, new Recording().type("b"));
        assertEquals(List.of("+b", "-b"), vm1.keys());

        play(KB, new Recording().chord("leftctrl", "leftalt", "f3").type("c"));
        assertEquals(Map.of("eDP-1", 2, "HDMI-A-1", 3), shown());
        assertEquals(List.of("+c", "-c"), vm3.keys());
    }

    @Test
    void aChordToASlotOnTheOtherMonitorTradesPlaces() {
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        play(KB, new Recording().chord("leftctrl", "leftalt", "f1"));
        assertEquals(Map.of("eDP-1", 1, "HDMI-A-1", 0), shown());
        assertEquals(1, focus.focusedSlot());
    }

    @Test
    void thePointerSlidesAlongAnEdgeWhereNoMonitorIsAndCrossesBackWhereOneIs() {
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        play(MOUSE, new Recording().rel(0, 5000)); // down, past the left one's bottom: stays on it
        assertEquals("eDP-1", focus.pointerHead().name());
        play(MOUSE, new Recording().rel(5000, 0)); // right along its bottom edge (y 499), onto the right one
        assertEquals("HDMI-A-1", focus.pointerHead().name());
        assertEquals(1, focus.focusedSlot());
        play(MOUSE, new Recording().rel(0, 5000)); // the right one is taller: down to its y 599
        play(MOUSE, new Recording().rel(-5000, 0)); // left at y 599: the left one is not there, so no crossing
        assertEquals("HDMI-A-1", focus.pointerHead().name());
        assertEquals(1, focus.focusedSlot());
    }

    @Test
    void aTabletSpansBothMonitorsAndAnAbsoluteGuestGetsPlacesOnItsOwn() {
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        play(KB, new Recording().chord("leftctrl", "leftalt", "f2")); // vm2, absolute, on the left
        vm2.clear();
        play(TABLET, new Recording().abs(0, 0)); // the desktop's top left: the left one's
        assertTrue(vm2.log.stream().anyMatch(l -> l.endsWith(" 0.000,0.000")), vm2.log.toString());
        // the tablet's far right is the right monitor's right edge: slot 1 gets the keyboard
        int max = Keyboards.tablet("t").x().max();
        play(TABLET, new Recording().abs(max, 0));
        assertEquals("HDMI-A-1", focus.pointerHead().name());
        assertEquals(1, focus.focusedSlot());
        assertTrue(vm1.log.stream().anyMatch(l -> l.endsWith(" 1.000,0.000")), "vm1 gets the place on its own monitor: " + vm1.log);
    }

    @Test
    void aMonitorThatGoesHandsItsSlotToTheOneLeft() {
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        play(KB, new Recording().chord("leftctrl", "leftalt", "f2"));
        assertEquals(Map.of("eDP-1", 2, "HDMI-A-1", 1), shown());

        int told = changes.size();
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        assertEquals(told, changes.size(), "the same monitors told again: nothing moves, nothing is published");
        FocusChanged after = focus.setHeads(new HeadLayout(List.of(LEFT)));
        assertEquals(FocusChanged.Cause.LAYOUT, after.cause());
        assertEquals(Map.of("eDP-1", 1), shown(), "slot 1 moved from the monitor that went");
        assertEquals(1, after.slot(), "the keyboard goes with what is under the pointer");
        play(KB, new Recording().type("d"));
        assertEquals(List.of("+d", "-d"), vm1.keys());

        // it comes back: it shows a slot that none shows (the lowest, the control UI)
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        assertEquals(Map.of("eDP-1", 1, "HDMI-A-1", 0), shown());
    }

    @Test
    void whenThePointersMonitorGoesItLandsOnTheOneLeftWithItsSlot() {
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        play(MOUSE, new Recording().rel(700, 0));
        assertEquals(1, focus.focusedSlot());
        focus.setHeads(new HeadLayout(List.of(LEFT)));
        assertEquals(Map.of("eDP-1", 1), shown());
        assertEquals(1, focus.focusedSlot());
        assertEquals("eDP-1", focus.pointerHead().name());
        play(MOUSE, new Recording().rel(-10, 0)); // the pointer is somewhere on it again
        assertEquals("eDP-1", focus.pointerHead().name());
    }

    @Test
    void aVmThatStopsLeavesItsMonitorToAFreeSlotAndAStartedOneFillsAnEmptyMonitor() {
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT, new Head("DP-2", 1800, 0, 640, 480))));
        assertEquals(Map.of("eDP-1", 0, "HDMI-A-1", 1, "DP-2", 2), shown());
        focus.vmStopped(focus.vms().entrySet().stream().filter(e -> e.getValue() == 1).findFirst().orElseThrow().getKey());
        assertEquals(Map.of("eDP-1", 0, "HDMI-A-1", 3, "DP-2", 2), shown());
        focus.vmStopped(focus.vms().entrySet().stream().filter(e -> e.getValue() == 3).findFirst().orElseThrow().getKey());
        Map<String, Integer> none = new LinkedHashMap<>();
        none.put("eDP-1", 0);
        none.put("HDMI-A-1", null);
        none.put("DP-2", 2);
        assertEquals(none, shown(), "no slot is left for it");
        assertFalse(shown().containsValue(3));
        focus.vmStarted(5, UUID.randomUUID(), "five", new RecordingSink("vm5"));
        assertEquals(Map.of("eDP-1", 0, "HDMI-A-1", 5, "DP-2", 2), shown());
    }

    @Test
    void aVmPlacedOnAMonitorIsShownThereWhenItStartsAndWhenItsMonitorComesBack() {
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        assertEquals(Map.of("eDP-1", 0, "HDMI-A-1", 1), shown());
        RecordingSink vm5 = new RecordingSink("vm5");
        focus.vmStarted(5, UUID.randomUUID(), "five", vm5, "HDMI-A-1");
        assertEquals(Map.of("eDP-1", 0, "HDMI-A-1", 5), shown(), "shown on its monitor as it starts");
        assertEquals(0, focus.focusedSlot(), "the pointer is on the other one: the keyboard stays");

        focus.setHeads(new HeadLayout(List.of(LEFT)));
        assertEquals(Map.of("eDP-1", 5), shown(), "its monitor went: it moved");
        play(KB, new Recording().chord("leftctrl", "leftalt", "f12"));
        assertEquals(Map.of("eDP-1", 0), shown());
        focus.setHeads(new HeadLayout(List.of(LEFT, RIGHT)));
        assertEquals(Map.of("eDP-1", 0, "HDMI-A-1", 5), shown(), "back on its monitor when that comes back");

        RecordingSink vm6 = new RecordingSink("vm6");
        focus.vmStarted(6, UUID.randomUUID(), "six", vm6, "eDP-1");
        assertEquals(Map.of("eDP-1", 6, "HDMI-A-1", 5), shown());
        assertEquals(6, focus.focusedSlot(), "placed on the monitor under the pointer: it has the keyboard");
        focus.vmStarted(7, UUID.randomUUID(), "seven", new RecordingSink("vm7"), "DP-9");
        assertEquals(Map.of("eDP-1", 6, "HDMI-A-1", 5), shown(), "a monitor not connected places nothing");
    }

    @Test
    void aLayoutThatCannotBeUsedNamesEachProblem() {
        HeadLayout bad = new HeadLayout(List.of(new Head("eDP-1", 0, 0, 1000, 500), new Head("eDP-1", 500, 0, 0, 500)));
        List<String> fields = bad.problems().stream().map(p -> p.field()).toList();
        assertEquals(List.of("heads[1].name", "heads[1].width"), fields);
        assertEquals(List.of("heads[1]"), new HeadLayout(List.of(LEFT, new Head("DP-1", 900, 0, 300, 300))).problems()
                .stream().map(p -> p.field()).toList(), "overlapping monitors");
        assertEquals(List.of(), new HeadLayout(List.of(LEFT, RIGHT)).problems());
    }
}
