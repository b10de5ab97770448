package org.polydesk.input.evdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.testing.Keyboards;
import org.polydesk.input.testing.Recording;

/** The evdev package without a device: the record reader, classification, JNA calls on non-devices, inotify. */
class EvdevTest {
    @TempDir
    Path tmp;

    @Test
    void recordsSplitAcrossReadsAreReassembledAndATornTailIsReported() throws Exception {
        byte[] bytes = new Recording().type("a").bytes(); // MSC, KEY, SYN twice: 6 records
        byte[] torn = java.util.Arrays.copyOf(bytes, bytes.length + 7);
        InputStream dribble = new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < torn.length ? torn[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= torn.length) {
                    return -1;
                }
                int n = Math.min(len, 5); // never a whole record at once
                n = Math.min(n, torn.length - pos);
                System.arraycopy(torn, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        List<InputEvent> got = new ArrayList<>();
        int rest = new EventReader(dribble).pump(got::add);
        assertEquals(7, rest);
        assertEquals(6, got.size());
        assertEquals(new InputEvent(1, 16000, EventCodes.EV_KEY, EventCodes.KEY_A, 1), got.get(1));
        assertTrue(got.get(2).isSynReport());
    }

    @Test
    void devicesAreClassifiedByWhatTheyCanSend() {
        assertEquals(DeviceKind.KEYBOARD, Keyboards.keyboard("AT Translated Set 2 keyboard").kind());
        assertEquals(DeviceKind.MOUSE, Keyboards.mouse("ImExPS/2 Generic Explorer Mouse").kind());
        assertEquals(DeviceKind.ABSOLUTE, Keyboards.tablet("QEMU USB Tablet").kind());
        Capabilities power = new Capabilities("Power Button", Keyboards.bits(0, 1), Keyboards.bits(116),
                new java.util.BitSet(), new java.util.BitSet(), new java.util.BitSet(), new java.util.BitSet(), null, null);
        assertEquals(DeviceKind.OTHER, power.kind(), "the power button stays with the host (acpid)");
    }

    @Test
    void aNodeThatIsNotAnEvdevDeviceIsRefusedWithAMessage() throws Exception {
        Path fake = tmp.resolve("event3");
        Files.write(fake, new byte[48]);
        IOException e = assertThrows(IOException.class, () -> EvdevDevice.open(fake));
        assertEquals(fake + " is not an evdev device (EVIOCGNAME: not a device that understands this request (ENOTTY))",
                e.getMessage());
        assertEquals("cannot open " + tmp.resolve("event9") + ": no such file (ENOENT)",
                assertThrows(IOException.class, () -> EvdevDevice.open(tmp.resolve("event9"))).getMessage());
    }

    @Test
    void hotPlugIsFollowedWithInotifyAndWeirdNodesDoNotStopAnything() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Files.write(tmp.resolve("event0"), new byte[0]);
        Files.write(tmp.resolve("mouse0"), new byte[0]);
        try (DeviceWatcher w = new DeviceWatcher(tmp, p -> seen.add("+" + p.getFileName()), p -> seen.add("-" + p.getFileName()))) {
            w.start();
            assertEquals("+event0", seen.poll(5, TimeUnit.SECONDS));
            Files.write(tmp.resolve("event1"), new byte[0]);
            assertEquals("+event1", seen.poll(5, TimeUnit.SECONDS));
            Files.delete(tmp.resolve("event0"));
            String next = seen.poll(5, TimeUnit.SECONDS);
            while ("+event1".equals(next)) { // the write's own attribute change
                next = seen.poll(5, TimeUnit.SECONDS);
            }
            assertEquals("-event0", next);
        }
        // The manager meets a node that is no device: it logs and carries on.
        List<Integer> added = new ArrayList<>();
        InputListener l = new InputListener() {
            @Override
            public void deviceAdded(int device, Capabilities capabilities, Leds leds) {
                added.add(device);
            }

            @Override
            public void event(int device, InputEvent event) {
            }

            @Override
            public void deviceRemoved(int device) {
            }
        };
        try (DeviceManager m = new DeviceManager(l, true)) {
            m.watch(tmp);
            Files.write(tmp.resolve("event2"), new byte[5]);
            Thread.sleep(300);
            assertEquals(List.of(), added, "a file that is not a device is never taken as one");
            m.addStream("recording", new java.io.ByteArrayInputStream(new Recording().type("a").bytes()));
            assertEquals(1, added.size(), "streams still work beside the watcher");
        }
    }
}
