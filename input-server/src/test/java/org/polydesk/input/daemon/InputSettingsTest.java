package org.polydesk.input.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.hotkey.Chord;
import org.polydesk.input.hotkey.HotkeyAction;
import org.polydesk.input.hotkey.InputConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.polydesk.input.sink.InputSink;
import org.polydesk.input.testing.FakeQmp;
import org.polydesk.input.testing.Keyboards;
import org.polydesk.input.testing.Recording;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.vm.VmSockets;
import org.polydesk.protocol.focus.InputSettings.Hotkey;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * input.config.get and input.config.set on the bus of a whole input server (its settings file in
 * a temporary folder): a new chord is stored (the file replaced whole, its other settings kept) and
 * switches at the next key press, played through the router as a keyboard's evdev records; bad
 * settings are refused with a problem per field and change nothing, in the file or at the keys.
 */
class InputSettingsTest {
    static final int KB = 1;

    @TempDir
    Path tmp;
    Path file;
    InputService input;
    final RecordingSink vm1 = new RecordingSink("vm1");
    final RecordingSink vm2 = new RecordingSink("vm2");

    @BeforeEach
    void start() throws Exception {
        file = tmp.resolve("etc/input.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"screen\": {\"width\": 1280, \"height\": 800}}\n");
        input = new InputService(new InputService.Settings(InputConfig.load(file), tmp.resolve("input.sock"), null, null,
                false, false, file, null));
        input.focus().vmStarted(1, UUID.randomUUID(), "one", vm1);
        input.focus().vmStarted(2, UUID.randomUUID(), "two", vm2);
        input.router().deviceAdded(KB, Keyboards.keyboard("kb"), (n, c, s) -> { });
        input.focus().set(1, org.polydesk.protocol.focus.FocusChanged.Cause.REQUEST);
    }

    @AfterEach
    void stop() {
        input.close();
    }

    RpcClient bus() throws Exception {
        return RpcClient.connect(tmp.resolve("input.sock"));
    }

    void play(Recording r) {
        Keyboards.play(input.router(), KB, r);
    }

    static List<Hotkey> defaultsWith(Hotkey... more) {
        List<Hotkey> list = new ArrayList<>();
        InputConfig.defaultHotkeys().forEach((c, a) -> list.add(new Hotkey(c.toString(), a.toString())));
        list.addAll(List.of(more));
        return list;
    }

    @Test
    void aNewChordIsStoredAndSwitchesFromTheNextKeyPress() throws Exception {
        // Before: Meta+2 is no chord, so vm1 gets the 2.
        play(new Recording().chord("leftmeta", "2"));
        assertEquals(1, input.focus().focusedSlot());
        assertTrue(vm1.keys().contains("+2"), vm1.keys().toString());

        long inodeBefore = (Long) Files.getAttribute(file, "unix:ino");
        InputSettings stored;
        try (RpcClient c = bus()) {
            InputSettings now = c.call(FocusBus.CONFIG_GET);
            assertEquals(InputSettings.PointerMode.AUTO.wireName(), now.pointer(), "auto is the default");
            assertEquals(defaultsWith(), now.hotkeys());
            stored = c.call(FocusBus.CONFIG_SET, new InputSettings(defaultsWith(new Hotkey("Super + 2", "slot 2")),
                    InputSettings.PointerMode.ABSOLUTE.wireName()));
            assertEquals(stored, c.call(FocusBus.CONFIG_GET), "get answers what set stored");
        }
        assertEquals(new Hotkey("meta+2", "slot 2"), stored.hotkeys().get(stored.hotkeys().size() - 1),
                "the chord is answered the one way it is written");

        // The file was replaced whole (a new inode: written aside and renamed), nothing left beside it,
        // and it reads back as the settings, with the screen it had.
        assertNotEquals(inodeBefore, (Long) Files.getAttribute(file, "unix:ino"));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
        InputConfig reread = InputConfig.load(file);
        assertEquals(HotkeyAction.slot(2), reread.hotkeys().get(Chord.parse("meta+2")));
        assertEquals(InputSettings.PointerMode.ABSOLUTE, reread.pointer());
        assertEquals(1280, reread.screenWidth());
        assertEquals(InputSettings.PointerMode.ABSOLUTE, input.settings().current().pointer(), "the pointer mode in use is the new one");

        // At once, no restart: Meta+2 switches, and the 2 reaches no guest.
        vm1.clear();
        play(new Recording().chord("leftmeta", "2"));
        assertEquals(2, input.focus().focusedSlot());
        assertFalse(vm1.keys().contains("+2") || vm2.keys().contains("+2"), vm1.keys() + " " + vm2.keys());
    }

    @Test
    void aNewPointerModeReachesTheRunningVmAtItsNextMove() throws Exception {
        Path sock = tmp.resolve("vm3/qmp.sock");
        try (FakeQmp qmp = new FakeQmp(sock)) {
            InputSink sink = input.vmSink(new VmSockets(null, sock.toString(), null));
            input.focus().vmStarted(3, UUID.randomUUID(), "three", sink);
            input.focus().set(3, org.polydesk.protocol.focus.FocusChanged.Cause.REQUEST);
            input.router().deviceAdded(2, Keyboards.mouse("mouse"), (n, c, s) -> { });
            Keyboards.play(input.router(), 2, new Recording().rel(5, 0));
            assertEquals("rel", lastMotion(qmp), "auto: a VM without a tablet gets motion");

            try (RpcClient c = bus()) {
                c.call(FocusBus.CONFIG_SET, new InputSettings(defaultsWith(), InputSettings.PointerMode.ABSOLUTE.wireName()));
            }
            Keyboards.play(input.router(), 2, new Recording().rel(5, 0));
            assertEquals("abs", lastMotion(qmp), "the same VM's sink, now absolute");
            sink.close();
        }
    }

    @Test
    void autoGivesPlacesToTheVmWithATabletAndMotionToTheOther() throws Exception {
        try (FakeQmp mouseQmp = new FakeQmp(tmp.resolve("vm4/qmp.sock"));
             FakeQmp tabletQmp = new FakeQmp(tmp.resolve("vm5/qmp.sock"))) {
            InputSink mouse = input.vmSink(new VmSockets(null, tmp.resolve("vm4/qmp.sock").toString(), null));
            InputSink tablet = input.vmSink(new VmSockets(null, tmp.resolve("vm5/qmp.sock").toString(), null, null, true));
            input.focus().vmStarted(4, UUID.randomUUID(), "mouse", mouse);
            input.focus().vmStarted(5, UUID.randomUUID(), "tablet", tablet);
            input.router().deviceAdded(2, Keyboards.mouse("mouse"), (n, c, s) -> { });
            input.focus().set(4, org.polydesk.protocol.focus.FocusChanged.Cause.REQUEST);
            Keyboards.play(input.router(), 2, new Recording().rel(5, 0));
            assertEquals("rel", lastMotion(mouseQmp));
            input.focus().set(5, org.polydesk.protocol.focus.FocusChanged.Cause.REQUEST);
            Keyboards.play(input.router(), 2, new Recording().rel(5, 0));
            assertEquals("abs", lastMotion(tabletQmp), "the VM with a USB tablet gets places");

            try (RpcClient c = bus()) {
                c.call(FocusBus.CONFIG_SET, new InputSettings(defaultsWith(), InputSettings.PointerMode.RELATIVE.wireName()));
            }
            // A wheel click marks where the change took effect: what the tablet got before it was placed absolutely.
            Keyboards.play(input.router(), 2, new Recording().wheel(1).rel(5, 0));
            assertEquals("rel", motionAfterWheel(tabletQmp), "relative: motion even to the tablet");
            mouse.close();
            tablet.close();
        }
    }

    /** The type (rel or abs) of the motion in the next input-send-event the VM's QMP gets that has one. */
    static String lastMotion(FakeQmp qmp) throws Exception {
        return nextMotion(qmp, false);
    }

    /** The type of the first motion the VM's QMP gets after its next wheel click. */
    static String motionAfterWheel(FakeQmp qmp) throws Exception {
        return nextMotion(qmp, true);
    }

    /** The type of the next motion the VM's QMP gets; {@code afterWheel}: only one after a wheel click. */
    private static String nextMotion(FakeQmp qmp, boolean afterWheel) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean wheel = !afterWheel;
        while (System.nanoTime() < deadline) {
            String line = qmp.lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            for (JsonNode e : Json.mapper().readTree(line).path("arguments").path("events")) {
                String type = e.path("type").asText();
                if (type.equals("btn") && e.path("data").path("button").asText().equals("wheel-up")) {
                    wheel = true;
                } else if (wheel && (type.equals("rel") || type.equals("abs"))) {
                    return type;
                }
            }
        }
        throw new AssertionError("the VM's QMP got no motion" + (afterWheel ? " after a wheel click" : "") + " within 10 s");
    }

    @Test
    void badSettingsAreRefusedFieldByFieldAndChangeNothing() throws Exception {
        String before = Files.readString(file);
        List<Hotkey> bad = new ArrayList<>(List.of(
                new Hotkey("ctrl+alt+f1", "slot 1"),
                new Hotkey("ctrl+alt+nosuchkey", "slot 2"),
                new Hotkey("f3", "slot 3"),
                new Hotkey("ctrl+alt+f4", "slot 12"),
                new Hotkey("alt+ctrl+f1", "next")));
        RpcClient.CallException e;
        try (RpcClient c = bus()) {
            e = assertThrows(RpcClient.CallException.class,
                    () -> c.call(FocusBus.CONFIG_SET, new InputSettings(bad, "sideways")));
        }
        assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode());
        assertEquals(List.of(
                new Problem("hotkeys[1].chord", "'nosuchkey' in 'ctrl+alt+nosuchkey' is not a key name"),
                new Problem("hotkeys[2].chord", "'f3' has no modifier; it would take the key from every VM"),
                new Problem("hotkeys[3].action", "the action must be \"slot N\" (N from 0 to 9), \"next\","
                        + " \"previous\" or \"console\", not 'slot 12'"),
                new Problem("hotkeys[4].chord", "'alt+ctrl+f1' is the same chord as hotkeys[0] (ctrl+alt+f1); a chord"
                        + " can do one thing only"),
                new Problem("hotkeys", "no chord leads to the control UI (slot 0): without one, the keyboard could"
                        + " never bring it back"),
                new Problem("pointer", "pointer must be \"auto\" (places to VMs with a USB tablet, motion to the others),"
                        + " \"relative\" (motion to every VM) or \"absolute\" (places to every VM), not 'sideways'")), e.problems());
        assertEquals(before, Files.readString(file), "the file is as it was");
        try (RpcClient c = bus()) {
            assertEquals(defaultsWith(), c.call(FocusBus.CONFIG_GET).hotkeys());
            RpcClient.CallException empty = assertThrows(RpcClient.CallException.class,
                    () -> c.call(FocusBus.CONFIG_SET, new InputSettings(null, null)));
            assertEquals(List.of("hotkeys", "pointer"), empty.problems().stream().map(Problem::field).toList());
        }
        // The keys still follow the old chords: Ctrl+Alt+F2 switches to slot 2.
        play(new Recording().chord("leftctrl", "leftalt", "f2"));
        assertEquals(2, input.focus().focusedSlot());
    }

    @Test
    void polyctlChangesTheSettingsThroughPolydeskd() throws Exception {
        try (TestPolydeskd polydeskd = TestPolydeskd.start(tmp.resolve("polydeskd"), "--stub-backend",
                "--focus-socket", tmp.resolve("input.sock").toString())) {
            PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
            PolyctlRunner.Run set = polyctl.run("input", "config", "set", "--hotkey", "Meta + 2=slot 2",
                    "--remove", "ctrl+alt+f2", "--pointer", "absolute");
            assertEquals(0, set.exit(), set.toString());
            assertTrue(set.out().startsWith("pointer: absolute\n"), set.out());
            assertTrue(set.out().contains("\nmeta+2               slot 2\n"), set.out());
            assertFalse(set.out().contains("ctrl+alt+f2"), set.out());
            assertEquals(HotkeyAction.slot(2), InputConfig.load(file).hotkeys().get(Chord.parse("meta+2")));
            assertEquals(set.out(), polyctl.run("input", "config", "get").out(), "get shows what set stored");

            // A refusal names the chord it is about, and changes nothing.
            PolyctlRunner.Run bad = polyctl.run("input", "config", "set", "--hotkey", "ctrl+alt+f1=slot 12");
            assertEquals(1, bad.exit(), bad.toString());
            assertEquals("polyctl: the settings were not changed:\n  'ctrl+alt+f1': the action must be \"slot N\""
                    + " (N from 0 to 9), \"next\", \"previous\" or \"console\", not 'slot 12'\n", bad.err());
            assertEquals(HotkeyAction.slot(1), InputConfig.load(file).hotkeys().get(Chord.parse("ctrl+alt+f1")));
        }
        play(new Recording().chord("leftmeta", "2"));
        assertEquals(2, input.focus().focusedSlot(), "the chord polyctl set switches");
    }

    @Test
    void aFileThatIsNotJsonIsLeftAloneAndTheChangeRefused() throws Exception {
        Files.writeString(file, "{ screen: oops");
        RpcClient.CallException e;
        try (RpcClient c = bus()) {
            e = assertThrows(RpcClient.CallException.class, () -> c.call(FocusBus.CONFIG_SET,
                    new InputSettings(defaultsWith(new Hotkey("meta+2", "slot 2")), "relative")));
        }
        assertEquals(ErrorCode.STORE_FAILED, e.errorCode());
        assertTrue(e.getMessage().contains(file + " is not valid JSON"), e.getMessage());
        assertEquals("{ screen: oops", Files.readString(file));
        play(new Recording().chord("leftmeta", "2"));
        assertEquals(1, input.focus().focusedSlot(), "the refused chord is not used");
    }
}
