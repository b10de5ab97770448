package org.polydesk.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.qemu.QemuGuest;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.testsupport.Ppm;
import org.polydesk.testsupport.TestGuest;

/**
 * Two monitors, each with its own VM: inside a test guest with a virtio-gpu of two heads, the input
 * server reads the guest's keyboard and USB tablet, and the display server drives both heads by KMS
 * and tells the input server its monitors. Three VMs are VNC servers of this test (one colour each)
 * that the guest reaches on 10.0.2.2; each records the keys it is sent. QMP's screendump of each
 * head shows which VM it shows, by its colour and its indicator's border; QMP's send-key and the
 * tablet's input-send-event are the user. A chord changes the monitor under the pointer only, keys
 * go to the VM on it, and when a monitor is unplugged (its connector forced off in sysfs) its VM
 * moves to the other one.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class MonitorsInGuestTest {
    /** Each VM's picture and its indicator's (border) colour. */
    private static final int[][] VMS = {{0x3060C0, 0xE0A000}, {0x30C060, 0xC03080}, {0x9030C0, 0x20B0B0}};
    @TempDir
    Path tmp;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    private Path consoleCopy;
    private QemuGuest guest;

    @AfterEach
    void cleanUp() throws Exception {
        if (guest != null) {
            // kept beside the run scripts, in target/, for a look after a failure
            Files.copy(guest.console(), consoleCopy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void eachMonitorShowsItsOwnVmAChordChangesTheOneUnderThePointerAndAnUnpluggedOnesVmMoves() throws Exception {
        List<List<Integer>> keys = new ArrayList<>();
        List<String> vnc = new ArrayList<>();
        List<String> input = new ArrayList<>();
        for (int i = 0; i < VMS.length; i++) {
            List<Integer> got = new CopyOnWriteArrayList<>();
            keys.add(got);
            FakeRfbServer vm = FakeRfbServer.tcp(solidRecordingKeys(VMS[i][0], got));
            cleanup.add(vm);
            String name = "VM" + (i + 1);
            vnc.add("--source");
            vnc.add((i + 1) + "=" + name + ",#" + String.format("%06X", VMS[i][1]) + ",tcp:10.0.2.2:" + vm.port());
            input.add("--vm");
            input.add((i + 1) + "=" + name + ",tcp:10.0.2.2:" + vm.port());
        }
        List<String> inputArgs = new ArrayList<>(List.of("--socket", "/run/polydesk/input.sock",
                "--daemon-socket", "/run/absent/polydeskd.sock", "--config", "/run/polydesk/input.json",
                "--ui-vnc", "/run/absent/vnc.sock", "--verbose"));
        inputArgs.addAll(input);
        Path inputRun = TestGuest.javaRunScript("monitors-input", List.of(), "org.polydesk.input.daemon.PolydeskInput",
                inputArgs.toArray(String[]::new));
        List<String> displayArgs = new ArrayList<>(List.of("--sink", "kms:/dev/dri/card1", "--border", "6",
                "--banner-ms", "0", "--focus-socket", "/run/polydesk/input.sock",
                "--toolstack-socket", "/run/absent/polydeskd.sock", "--ui-vnc", "/run/absent/vnc.sock",
                "--screen-file", "/run/polydesk/screen"));
        displayArgs.addAll(vnc);
        Path displayRun = TestGuest.javaRunScript("monitors-display", List.of(), "org.polydesk.display.daemon.DisplayMain",
                displayArgs.toArray(String[]::new));
        // Both heads connected, then the services; each line on ttyS1 is a step of the test's.
        Path script = inputRun.resolveSibling("monitors.sh");
        Files.writeString(script, String.join("\n",
                "set -- /sys/class/drm/card1-*",
                "echo on > $2/status",
                "mkdir -p /run/polydesk",
                "sh " + TestGuest.guestPath(inputRun) + " &",
                "sh " + TestGuest.guestPath(displayRun) + " &",
                "stty -F /dev/ttyS1 -echo",
                "while read -r step < /dev/ttyS1; do",
                "  case $step in",
                "    unplug) echo off > $2/status && echo \"MONITORS unplugged ${2##*/}\" ;;",
                "  esac",
                "done", ""));
        Path steps = tmp.resolve("steps.sock");
        QemuGuest host = QemuGuest.boot(tmp.resolve("host"), "none", null, 1536,
                TestGuest.cmdlineRunning("202020", script),
                QemuGuest.runningArgs("-device", "virtio-gpu-pci,max_outputs=2,id=vgpu",
                        "-device", "qemu-xhci", "-device", "usb-tablet",
                        "-serial", "unix:" + steps + ",server=on,wait=off"));
        cleanup.add(host);
        host.awaitReady();
        consoleCopy = script.resolveSibling("console.log");
        guest = host;
        TestGuest.awaitConsole(host.console(), "polydesk-display on kms /dev/dri/card1 ", 180);

        // At first the input server's focus is the control UI (not running here): head 0 shows that,
        // head 1 the lowest free slot, VM1.
        Ppm right = awaitShows(host, 1, 0, "VM1 on the second monitor");
        Ppm left = host.screendump("vgpu", 0);
        double leftShare = left.width() / (double) (left.width() + right.width());
        String[] heads = monitorNames(host);

        // The pointer onto the second monitor, a chord: it shows VM2, the first one is untouched.
        host.pointTablet(leftShare + (1 - leftShare) / 2, 0.5);
        // The tablet's report comes when the guest polls its USB port, the chord's keys at once:
        // the chord waits until the input server has the pointer on that monitor.
        TestGuest.awaitConsole(host.console(), "the pointer is on " + heads[1], 60);
        host.sendChord("ctrl", "alt", "f2");
        awaitShows(host, 1, 1, "VM2 on the second monitor after the chord with the pointer there");
        host.sendKeys("a");
        awaitKey(keys, 1, 'a');

        // Back onto the first monitor: a chord there gives it VM3; the second still shows VM2.
        host.pointTablet(leftShare / 2, 0.5);
        TestGuest.awaitConsole(host.console(), "the pointer is on " + heads[0], 60);
        host.sendChord("ctrl", "alt", "f3");
        awaitShows(host, 0, 2, "VM3 on the first monitor after the chord with the pointer there");
        assertShows(host.screendump("vgpu", 1), 1, "the second monitor still shows VM2");
        host.sendKeys("b");
        awaitKey(keys, 2, 'b');
        assertEquals(List.of(), keys.get(0).stream().filter(k -> k == 'a' || k == 'b').toList(), "VM1 got no key");
        assertTrue(keys.get(1).stream().noneMatch(k -> k == 'b'), "VM2 got no key typed with the pointer on VM3's monitor");

        // The second monitor unplugged: its VM, VM2, moves to the first.
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(steps));
            OutputStream out = Channels.newOutputStream(ch);
            out.write("unplug\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            TestGuest.awaitConsole(host.console(), "MONITORS unplugged", 60);
        }
        awaitShows(host, 0, 1, "VM2 on the first monitor after the second was unplugged");
        host.sendKeys("c");
        awaitKey(keys, 1, 'c');
        String console = Files.readString(host.console());
        assertTrue(!console.contains("Exception"), console);
    }

    /**
     * An RFB server that shows one colour, answers every update request with an empty update, and
     * records the keysym of every key pressed (RFB KeyEvent or QEMU's extended key event); it reads
     * the client's messages by their RFB lengths.
     */
    private static FakeRfbServer.Script solidRecordingKeys(int rgb, List<Integer> pressed) {
        int[] px = new int[640 * 400];
        Arrays.fill(px, rgb);
        byte[] hello = ServerStream.handshake(640, 400).update(1).rect(0, 0, 640, 400, Encodings.RAW).pixels(px).toByteArray();
        return (ch, from) -> {
            FakeRfbServer.write(ch, hello);
            DataInputStream in = new DataInputStream(from);
            in.readFully(new byte[14]); // version, security type, ClientInit
            while (true) {
                int type = in.readUnsignedByte();
                switch (type) {
                    case 0 -> in.readFully(new byte[19]); // SetPixelFormat
                    case 2 -> {
                        in.readUnsignedByte();
                        in.readFully(new byte[4 * in.readUnsignedShort()]); // SetEncodings
                    }
                    case 3 -> {
                        in.readFully(new byte[9]); // FramebufferUpdateRequest: answered, with nothing new
                        FakeRfbServer.write(ch, new byte[] {0, 0, 0, 0});
                    }
                    case 4 -> {
                        boolean down = in.readUnsignedByte() != 0;
                        in.readUnsignedShort();
                        int keysym = in.readInt();
                        if (down) {
                            pressed.add(keysym);
                        }
                    }
                    case 5 -> in.readFully(new byte[5]); // PointerEvent
                    case 6 -> {
                        in.readFully(new byte[3]);
                        in.readFully(new byte[in.readInt()]); // ClientCutText
                    }
                    case 150 -> in.readFully(new byte[9]); // EnableContinuousUpdates
                    case 248 -> {
                        in.readFully(new byte[7]);
                        in.readFully(new byte[in.readUnsignedByte()]); // ClientFence
                    }
                    case 251 -> {
                        in.readFully(new byte[5]);
                        int screens = in.readUnsignedByte();
                        in.readUnsignedByte();
                        in.readFully(new byte[16 * screens]); // SetDesktopSize
                    }
                    case 255 -> {
                        int sub = in.readUnsignedByte();
                        if (sub != 0) {
                            FakeRfbServer.drain(from);
                            return;
                        }
                        boolean down = in.readUnsignedShort() != 0;
                        int keysym = in.readInt();
                        in.readInt();
                        if (down) {
                            pressed.add(keysym);
                        }
                    }
                    default -> {
                        FakeRfbServer.drain(from); // a message this double does not know: keys are not read further
                        return;
                    }
                }
            }
        };
    }

    /** Waits until head {@code head} shows VM {@code vm} (its colour inside, its border at the corners); returns that screen. */
    private static Ppm awaitShows(QemuGuest host, int head, int vm, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String why = "";
        while (System.nanoTime() < deadline) {
            try {
                Ppm screen = host.screendump("vgpu", head);
                why = looks(screen);
                if (shows(screen, vm)) {
                    return screen;
                }
            } catch (IOException e) {
                why = e.getMessage();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(what + ": never seen; head " + head + " showed " + why + "\nguest console:\n"
                + Files.readString(host.console()));
    }

    private static void assertShows(Ppm screen, int vm, String what) {
        assertTrue(shows(screen, vm), what + ": " + looks(screen));
    }

    private static boolean shows(Ppm screen, int vm) {
        int w = screen.width();
        int h = screen.height();
        return screen.rgbAt(0, h - 1) == VMS[vm][1] && screen.rgbAt(w - 1, h - 1) == VMS[vm][1]
                && screen.rgbAt(w / 2, h / 2) == VMS[vm][0];
    }

    private static String looks(Ppm screen) {
        int w = screen.width();
        int h = screen.height();
        return String.format("%dx%d, corner %06X, centre %06X", w, h, screen.rgbAt(w - 1, h - 1), screen.rgbAt(w / 2, h / 2));
    }

    /** The two heads' connector names, in the card's order, as the display server named them on starting. */
    private static String[] monitorNames(QemuGuest host) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("polydesk-display on kms /dev/dri/card1 \\[(\\S+) [^,]*, (\\S+) ")
                .matcher(Files.readString(host.console()));
        assertTrue(m.find(), "the display server drives two monitors:\n" + Files.readString(host.console()));
        return new String[] {m.group(1), m.group(2)};
    }

    /** Waits until VM {@code vm} (0-based) was sent the key {@code c}. */
    private static void awaitKey(List<List<Integer>> keys, int vm, char c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!keys.get(vm).contains((int) c)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("VM" + (vm + 1) + " never got '" + c + "'; the VMs got " + keys);
            }
            Thread.sleep(100);
        }
    }
}
