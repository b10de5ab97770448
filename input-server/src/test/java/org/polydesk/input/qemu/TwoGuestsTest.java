package org.polydesk.input.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.daemon.InputService;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.sink.RfbSink;
import org.polydesk.input.testing.Recording;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * Two real guests under QEMU, as the real polydeskd's slots 1 and 2 (the toolstack's TestPolydeskd
 * in this JVM, its hypervisor the stub backend: the VMs are created and started through its API,
 * and each guest's QMP socket is where polydeskd says the VM's is). The input server reads evdev records
 * from an OS pipe the test writes, switches between the guests by chords and types into each.
 * Each guest echoes every byte its keyboard produced to its serial port, so the text there shows
 * exactly what reached it: a leaked F1 would show as ESC [ [ A, a stuck Ctrl as control bytes, an
 * Alt as an ESC prefix.
 */
class TwoGuestsTest {
    @TempDir
    Path tmp;

    @Test
    void everyKeyReachesExactlyTheFocusedGuestAndNoChordKeyReachesAny() throws Exception {
        try (TestPolydeskd daemon = TestPolydeskd.start(tmp.resolve("polydesk"), "--stub-backend");
             RpcClient toolstack = RpcClient.connect(daemon.socket());
             Guest one = Guest.boot(daemon.vmDir(create(toolstack, "one", 1)), "C03030", List.of(), null, 256);
             Guest two = Guest.boot(daemon.vmDir(create(toolstack, "two", 2)), "3030C0", List.of(), null, 256)) {
            Path run = daemon.runDir();
            for (String vm : List.of("one", "two")) {
                toolstack.call(ToolstackApi.VM_START, new ToolstackApi.VmRef(vm));
            }
            one.awaitReady();
            two.awaitReady();
            InputConfig cfg = InputConfig.defaults();
            try (InputService input = new InputService(new InputService.Settings(
                    new InputConfig(cfg.hotkeys(), 1024, 768, null), run.resolve("input.sock"),
                    daemon.socket(), null, false, false));
                 RpcClient bus = RpcClient.connect(run.resolve("input.sock"))) {
                bus.call(FocusBus.SUBSCRIBE, null);
                while (!input.focus().occupied(1) || !input.focus().occupied(2)) {
                    Thread.sleep(50);
                }
                Pipe pipe = Pipe.open();
                input.addStream("test pipe", Channels.newInputStream(pipe.source()));
                OutputStream keyboard = Channels.newOutputStream(pipe.sink());

                write(keyboard, new Recording().chord("leftctrl", "leftalt", "f1").type("h", "e", "l", "l", "o"));
                assertFocus(bus, 1, FocusChanged.Cause.HOTKEY);
                one.awaitTyped("hello");
                write(keyboard, new Recording().chord("rightctrl", "leftalt", "f2").type("w", "o", "r", "l", "d"));
                assertFocus(bus, 2, FocusChanged.Cause.HOTKEY);
                two.awaitTyped("world");
                // x held and auto-repeating in guest two while the chord switches to guest one.
                // Paced like a keyboard: the guest's atkbd driver ignores repeats within 125 ms of the press.
                write(keyboard, new Recording().down("x"));
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(300);
                    write(keyboard, new Recording().repeat("x", 1));
                }
                two.awaitTyped("worldxxxx");
                write(keyboard, new Recording().down("leftctrl", "leftalt", "f1"));
                for (int i = 0; i < 4; i++) {
                    Thread.sleep(300);
                    write(keyboard, new Recording().repeat("x", 1).repeat("f1", 1));
                }
                write(keyboard, new Recording().up("f1", "leftalt", "leftctrl").type("z").up("x"));
                assertFocus(bus, 1, FocusChanged.Cause.HOTKEY);
                one.awaitTyped("helloz");
                write(keyboard, new Recording().chord("leftctrl", "leftalt", "right").down("leftshift").type("q")
                        .up("leftshift"));
                assertFocus(bus, 2, FocusChanged.Cause.HOTKEY);
                two.awaitTyped("worldxxxxQ");
                // A chord to the control UI (slot 0, no Xvnc here): keys typed then reach neither guest.
                write(keyboard, new Recording().chord("leftctrl", "leftalt", "f12").type("n", "o", "p", "e"));
                assertFocus(bus, 0, FocusChanged.Cause.HOTKEY);
                write(keyboard, new Recording().chord("leftctrl", "leftalt", "f2").type("enter"));
                assertFocus(bus, 2, FocusChanged.Cause.HOTKEY);
                two.awaitTyped("worldxxxxQ\r");
                Thread.sleep(1500); // anything stray would have arrived by now
                assertEquals("helloz", one.typed(), "guest one got exactly its keys");
                assertEquals("worldxxxxQ\r", two.typed(), "guest two got exactly its keys");
                // polydeskd stops VM two (its QEMU is the test's, and runs on): its slot goes, the focus falls back.
                toolstack.call(ToolstackApi.VM_STOP, new ToolstackApi.VmStop("two", 10));
                assertFocus(bus, 0, FocusChanged.Cause.VM_GONE);
                while (input.focus().occupied(2)) {
                    Thread.sleep(50);
                }
            }
            // The other sink: RFB, against the guest's own VNC server (as the control UI's Xvnc would be).
            try (RfbSink rfb = new RfbSink(one.vnc())) {
                for (String k : List.of("r", "f", "b")) {
                    rfb.key(Recording.code("leftshift"), k.equals("r"));
                    rfb.key(Recording.code(k), true);
                    rfb.key(Recording.code(k), false);
                    if (k.equals("r")) {
                        rfb.key(Recording.code("leftshift"), false);
                    }
                }
                rfb.flush();
                one.awaitTyped("hellozRfb");
            }
        }
    }

    /** A stopped VM in {@code slot}; its id, whose run directory is where its guest's sockets go. */
    private static java.util.UUID create(RpcClient toolstack, String name, int slot) throws IOException {
        return toolstack.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                VmDefinition.builder().name(name).slot(slot).memoryMib(256).build())).definition().id();
    }

    private static void write(OutputStream out, Recording r) throws IOException {
        out.write(r.bytes());
        out.flush();
    }

    private static void assertFocus(RpcClient bus, int slot, FocusChanged.Cause cause) throws Exception {
        FocusChanged c = Json.mapper().treeToValue(bus.nextNotification().params(), FocusChanged.class);
        assertEquals(slot, c.slot());
        assertEquals(cause, c.cause());
    }
}
