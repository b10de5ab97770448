package org.polydesk.input.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.polydesk.input.focus.FocusAuthority;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.testing.Keyboards;
import org.polydesk.input.testing.Recording;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;

/**
 * The console chord (Ctrl+Alt+F11 by default): the focus goes to dom0's text console, whose keyboard
 * gets what is typed; the chords still switch and never reach it; cycling passes over it. The
 * console's keyboard here is a recording sink; the uinput keyboard typing into a real console is
 * the ISO boot test's.
 */
class ConsoleRoutingTest {
    static final int KB = 1;
    final RecordingSink ui = new RecordingSink("ui");
    final RecordingSink vm1 = new RecordingSink("vm1");
    final RecordingSink console = new RecordingSink("console");
    final List<FocusChanged> changes = new ArrayList<>();

    InputRouter router(FocusAuthority focus) {
        InputRouter router = new InputRouter(focus, InputConfig.defaults());
        focus.vmStarted(1, UUID.randomUUID(), "one", vm1);
        focus.subscribe(changes::add);
        router.deviceAdded(KB, Keyboards.keyboard("kb"), (n, c, s) -> { });
        return router;
    }

    @Test
    void theConsoleGetsTheKeysAndTheChordsStillSwitch() {
        FocusAuthority focus = new FocusAuthority(ui, console);
        InputRouter router = router(focus);
        Keyboards.play(router, KB, new Recording().chord("leftctrl", "leftalt", "f11").type("i", "d"));
        assertEquals(FocusBus.CONSOLE, focus.focusedSlot());
        assertEquals(FocusBus.CONSOLE, changes.get(0).slot());
        assertEquals(null, changes.get(0).vm(), "no VM behind the console");
        assertEquals(List.of("+i", "-i", "+d", "-d"), console.keys(), "no F11, no orphan Ctrl or Alt");
        assertEquals(0, console.orphanReleases);

        Keyboards.play(router, KB, new Recording().chord("leftctrl", "leftalt", "f12").type("x"));
        assertEquals(FocusBus.UI_SLOT, focus.focusedSlot());
        // The UI saw Ctrl and Alt of the first chord go down before F11 (released at that switch), then x.
        assertEquals(List.of("+leftctrl", "+leftalt", "-leftalt", "-leftctrl", "+x", "-x"), ui.keys());
        assertTrue(console.keys().stream().noneMatch(k -> k.contains("f12")), console.keys().toString());
        assertTrue(console.down.isEmpty(), "nothing stays held in the console");
    }

    @Test
    void cyclingPassesOverTheConsoleAndLeavesIt() {
        FocusAuthority focus = new FocusAuthority(ui, console);
        InputRouter router = router(focus);
        Keyboards.play(router, KB, new Recording().chord("leftctrl", "leftalt", "right"));
        assertEquals(1, focus.focusedSlot());
        Keyboards.play(router, KB, new Recording().chord("leftctrl", "leftalt", "right"));
        assertEquals(FocusBus.UI_SLOT, focus.focusedSlot(), "from the last VM back to the UI, not the console");
        Keyboards.play(router, KB, new Recording().chord("leftctrl", "leftalt", "f11"));
        Keyboards.play(router, KB, new Recording().chord("leftctrl", "leftalt", "right"));
        assertEquals(1, focus.focusedSlot(), "from the console, the UI's next");
    }

    @Test
    void withoutAConsoleTheChordDoesNothingAndReachesNoOne() {
        FocusAuthority focus = new FocusAuthority(ui);
        InputRouter router = router(focus);
        Keyboards.play(router, KB, new Recording().chord("leftctrl", "leftalt", "f11").type("q"));
        assertEquals(FocusBus.UI_SLOT, focus.focusedSlot());
        assertEquals(List.of(), changes);
        assertTrue(ui.keys().stream().noneMatch(k -> k.contains("f11")), ui.keys().toString());
        assertTrue(ui.keys().containsAll(List.of("+q", "-q")), ui.keys().toString());
    }
}
