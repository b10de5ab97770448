package org.polydesk.input.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.daemon.InputService;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.testing.Recording;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * A VM that polydeskd starts with a USB tablet gets the pointer as places without anyone setting a
 * pointer mode: the real polydeskd (TestPolydeskd, stub backend) reports the tablet with the VM's
 * sockets, the input server in its default "auto" mode sends that VM absolute positions, and the
 * guest (QEMU with qemu-xhci and usb-tablet, polydesk.pointer=1) prints the ABS_X/ABS_Y its own
 * evdev got: the place of the input server's pointer on a 1024x768 screen, scaled to 0–32767.
 */
class TabletPointerTest {
    private static final int ABS_X = 3, ABS_Y = 3 + (1 << 16);

    @TempDir
    Path tmp;

    @Test
    void theGuestsTabletGetsThePlaceOfTheInputServersPointer() throws Exception {
        try (TestPolydeskd daemon = TestPolydeskd.start(tmp.resolve("polydesk"), "--stub-backend");
             RpcClient toolstack = RpcClient.connect(daemon.socket())) {
            UUID id = toolstack.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder()
                    .name("tablet").slot(1).memoryMib(256).usbTablet(true).build())).definition().id();
            try (Guest guest = Guest.boot(daemon.vmDir(id), "C03030",
                    List.of("-device", "qemu-xhci", "-device", "usb-tablet"), TestGuest.cmdline("C03030") + " polydesk.pointer=1", 256)) {
                toolstack.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("tablet"));
                guest.awaitReady();
                InputConfig cfg = InputConfig.defaults();
                try (InputService input = new InputService(new InputService.Settings(
                        new InputConfig(cfg.hotkeys(), 1024, 768, null), daemon.runDir().resolve("input.sock"),
                        daemon.socket(), null, false, false));
                     RpcClient bus = RpcClient.connect(daemon.runDir().resolve("input.sock"))) {
                    InputSettings settings = bus.call(FocusBus.CONFIG_GET);
                    assertEquals("auto", settings.pointer(), "nobody chose a pointer mode");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!input.focus().occupied(1)) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("the input server never listed the running VM");
                        }
                        Thread.sleep(50);
                    }
                    Pipe pipe = Pipe.open();
                    input.addStream("test pipe", Channels.newInputStream(pipe.source()));
                    OutputStream devices = Channels.newOutputStream(pipe.sink());
                    write(devices, new Recording().chord("leftctrl", "leftalt", "f1"));
                    // From the screen's centre (511.5, 383.5) a quarter of the screen right and up.
                    write(devices, new Recording().rel(256, -192));
                    awaitPlace(guest, Math.round(767.5 / 1023 * 32767), Math.round(191.5 / 767 * 32767));
                }
            }
        }
    }

    private static void write(OutputStream out, Recording r) throws IOException {
        out.write(r.bytes());
        out.flush();
    }

    /** Waits until the guest's tablet reported ABS_X and ABS_Y within 1/500 of the range of (x, y). */
    private static void awaitPlace(Guest guest, long x, long y) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            seen.clear();
            boolean xSeen = false;
            boolean ySeen = false;
            for (String line : Files.readAllLines(guest.console(), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                int at = line.indexOf("POLYDESK-POINTER ");
                if (at < 0) {
                    continue;
                }
                String[] f = line.substring(at).trim().split("\\s+");
                if (f.length != 7) {
                    continue;
                }
                int typeCode = Integer.parseInt(f[5]);
                long value = Long.parseLong(f[6]);
                if (typeCode == ABS_X || typeCode == ABS_Y) {
                    seen.add((typeCode == ABS_X ? "x=" : "y=") + value);
                }
                xSeen |= typeCode == ABS_X && Math.abs(value - x) <= 64;
                ySeen |= typeCode == ABS_Y && Math.abs(value - y) <= 64;
            }
            if (xSeen && ySeen) {
                return;
            }
            Thread.sleep(200);
        }
        String console = Files.readString(guest.console(), java.nio.charset.StandardCharsets.ISO_8859_1);
        throw new AssertionError("the guest's tablet never reported x=" + x + ", y=" + y + "; it reported " + seen
                + "; the end of its console:\n" + console.substring(Math.max(0, console.length() - 1500)));
    }
}
