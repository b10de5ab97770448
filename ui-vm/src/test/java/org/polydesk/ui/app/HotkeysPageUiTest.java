package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestProcesses;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The Hotkeys page with the whole chain behind it: the UI calls polydeskd (stub backend), which
 * forwards to a real input-server ({@code polydesk-input} in a child JVM, its settings file in
 * the test's folder, keys from its standard input as evdev records, VMs from polydeskd's events).
 * A bad chord is refused beside its row; a good one is saved to the file and switches to its
 * slot at the next key press, as the focus bus reports.
 */
class HotkeysPageUiTest {
    static final int EV_SYN = 0, EV_KEY = 1, KEY_2 = 3, KEY_LEFTMETA = 125;

    @TempDir
    Path tmp;
    UiFixture ui;
    Process input;

    @AfterEach
    void close() throws Exception {
        if (input != null) {
            input.destroy();
            input.waitFor(10, TimeUnit.SECONDS);
        }
        if (ui != null) {
            ui.close();
        }
    }

    /** Presses and releases each key, in order and then in reverse, as evdev records (struct input_event, 24 bytes). */
    static byte[] chord(int... keys) {
        List<int[]> events = new ArrayList<>();
        for (int k : keys) {
            events.add(new int[] {EV_KEY, k, 1});
            events.add(new int[] {EV_SYN, 0, 0});
        }
        for (int i = keys.length - 1; i >= 0; i--) {
            events.add(new int[] {EV_KEY, keys[i], 0});
            events.add(new int[] {EV_SYN, 0, 0});
        }
        ByteBuffer b = ByteBuffer.allocate(24 * events.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] e : events) {
            b.putLong(0).putLong(0).putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
        }
        return b.array();
    }

    FocusChanged focus(Path bus) throws IOException {
        try (RpcClient c = RpcClient.connect(bus)) {
            return c.call(FocusBus.GET);
        }
    }

    @Test
    void aChordSavedOnThePageIsStoredByInputServerAndSwitchesAtTheNextKeyPress() throws Exception {
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend"))
                .open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                VmDefinition.builder().name("Two").memoryMib(256).slot(2).build()));
        ui.rpc(ToolstackApi.VM_START, new ToolstackApi.VmRef("Two"));

        Path bus = ui.daemon.runDir().resolve("input.sock");
        Path settings = tmp.resolve("etc/input.json");
        input = TestProcesses.start(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "org.polydesk.input.daemon.PolydeskInput", "--config", settings.toString(), "--socket", bus.toString(),
                "--daemon-socket", ui.daemon.socket().toString(), "--no-devices", "--events", "-",
                "--ui-vnc", tmp.resolve("no-ui-vnc.sock").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("input.log").toFile()));
        ui.await("input-server's bus", 30, () -> {
            try (RpcClient c = RpcClient.connect(bus)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, () -> Files.exists(tmp.resolve("input.log")) ? Files.readString(tmp.resolve("input.log")) : "(no log)");
        // input-server has slot 2 once it has followed polydeskd's events.
        ui.await("input-server knowing slot 2", 20, () -> {
            try (RpcClient c = RpcClient.connect(bus)) {
                c.call(FocusBus.SET, new FocusBus.SlotRef(2));
                c.call(FocusBus.SET, new FocusBus.SlotRef(FocusBus.UI_SLOT));
                return true;
            } catch (RpcClient.CallException e) {
                return false;
            }
        }, () -> Files.readString(tmp.resolve("input.log")));

        ui.robot.clickOn("#nav-hotkeys");
        ui.awaitText("#hotkey-chord-0", "ctrl+alt+f1", 10);
        assertEquals("slot 1", ui.text("#hotkey-action-0"));
        assertEquals("ctrl+alt+right", ui.text("#hotkey-chord-13"));

        // A chord that names no key: refused, and said beside its row; nothing is stored.
        ui.robot.clickOn("#hotkey-add");
        ui.type("#hotkey-chord-14", "meta+nosuchkey");
        ui.type("#hotkey-action-14", "slot 2");
        ui.robot.clickOn("#hotkeys-save");
        ui.awaitText("#hotkey-error-14", "chord: 'nosuchkey' in 'meta+nosuchkey' is not a key name", 10);
        assertEquals("", ui.text("#hotkey-error-0"));
        assertEquals("The hotkeys were not saved: correct what is marked.", ui.text("#hotkeys-status"));
        assertFalse(Files.exists(settings), "nothing was written");

        // The cursor is in the refused chord, its text selected: type the right one.
        ui.robot.write("Meta+2");
        assertEquals("Meta+2", ui.text("#hotkey-chord-14"));
        ui.robot.clickOn("#hotkeys-save");
        ui.awaitText("#hotkeys-status", "Saved. input-server uses them from the next key press.", 10);
        assertEquals("meta+2", ui.text("#hotkey-chord-14"), "the chord as input-server stored it");
        assertEquals("", ui.text("#hotkey-error-14"));
        assertTrue(Files.readString(settings).contains("\"meta+2\" : \"slot 2\""), Files.readString(settings));

        // The next key press: Meta+2 on the keyboard moves the focus to slot 2, no restart.
        assertEquals(FocusBus.UI_SLOT, focus(bus).slot());
        OutputStream keyboard = input.getOutputStream();
        keyboard.write(chord(KEY_LEFTMETA, KEY_2));
        keyboard.flush();
        ui.await("Meta+2 switching to slot 2", 10, () -> focus(bus).slot() == 2, () -> focus(bus));
    }
}
