package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.testsupport.TestProcesses;

/**
 * The whole desktop on a plain Linux host, headless, every service a process of its own as in dom0:
 * polydeskd (QEMU backend) with two small guests, the control UI on an Xvnc (slot 0), input-server
 * reading evdev records from a pipe (the keyboard), and the display server writing PNG snapshots (the
 * screen). The test switches with the hotkeys and checks the screen by its pixels, types into each
 * guest and checks that only the focused one got the keys, creates and starts a third VM through the
 * UI (TestFX) and switches to its slot, then kills that VM's QEMU: the focus goes back to the UI and
 * every service is still up.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class DesktopTest {
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 800;
    private static final int UI_BANNER = 0x4A6FA5;
    private static final int UNAVAILABLE = 0x262626;
    private static final int KEY_LEFTCTRL = 29;
    private static final int KEY_LEFTALT = 56;
    private static final int KEY_F1 = 59;
    private static final int KEY_F12 = 88;

    @TempDir
    Path tmp;
    private final List<Process> services = new ArrayList<>();
    private PolydeskdProcess daemon;
    private UiFixture ui;
    private OutputStream keyboard;
    private Path screen;
    private Process xserver;

    @AfterEach
    void tearDown() throws Exception {
        if (ui != null) {
            ui.close();
        }
        if (daemon != null && daemon.isAlive()) {
            try (RpcClient c = RpcClient.connect(daemon.socket())) {
                for (VmStatus vm : c.call(ToolstackApi.VM_LIST)) {
                    if (vm.state().isActive()) {
                        c.call(ToolstackApi.VM_DESTROY, ref(vm.definition().id().toString()));
                    }
                }
            } catch (IOException e) {
                // best effort: the processes below go anyway
            }
        }
        if (keyboard != null) {
            keyboard.close();
        }
        for (Process p : services) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (daemon != null) {
            daemon.close();
        }
        // Whatever the test started and is still running (a VM polydeskd left, a service's child)
        // goes now; the UI's Xvnc goes with this JVM (see startXvnc).
        TestProcesses.killAll(xserver == null ? new ProcessHandle[0] : new ProcessHandle[] {xserver.toHandle()});
    }

    @Test
    void hotkeysSwitchScreenAndKeyboardTheUiAddsAVmAndACrashedVmGivesTheFocusBack() throws Exception {
        daemon = PolydeskdProcess.start(tmp.resolve("polydesk"));
        Path run = daemon.runDir();
        Path uiVnc = run.resolve("ui").resolve("vnc.sock");
        Files.createDirectories(uiVnc.getParent());
        startXvnc(uiVnc);

        UUID red = createAndStart("Red", 1, "#e0a000", "C03030");
        UUID blue = createAndStart("Blue", 2, "#20c0c0", "3060C0");

        Path fifo = tmp.resolve("keyboard");
        exec("mkfifo", fifo.toString());
        Path inputSocket = run.resolve("input.sock");
        service("input", "org.polydesk.input.daemon.PolydeskInput", "--no-devices", "--events", fifo.toString(),
                "--socket", inputSocket.toString(), "--daemon-socket", daemon.socket().toString(),
                "--ui-vnc", uiVnc.toString());
        keyboard = new FileOutputStream(fifo.toFile());
        screen = tmp.resolve("screen.png");
        service("display", "org.polydesk.display.daemon.DisplayMain", "--sink", "png:" + screen,
                "--size", WIDTH + "x" + HEIGHT, "--snapshot-interval-ms", "100", "--banner-ms", "30000",
                "--toolstack-socket", daemon.socket().toString(), "--focus-socket", inputSocket.toString(),
                "--ui-vnc", uiVnc.toString());

        // Each check looks for the banner of what is shown: it must outlast the control UI's first
        // paint, which under load came more than 5 s after the display server's first frame.
        // The control UI, on the Xvnc the display server shows as slot 0.
        ui = new UiFixture(daemon).open();
        ui.await("the connection to polydeskd", 30, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        awaitScreen("the control UI in slot 0", 60, s -> showsUi(s));

        TestGuest.awaitConsole(console(red), TestGuest.READY, 180);
        TestGuest.awaitConsole(console(blue), TestGuest.READY, 180);

        chord(KEY_F1);
        awaitScreen("Red in slot 1", 60, s -> shows(s, 0xE0A000, 0xC03030));
        type("red");
        TestGuest.awaitTyped(console(red), "red", 30);

        chord(KEY_F1 + 1);
        awaitScreen("Blue in slot 2", 60, s -> shows(s, 0x20C0C0, 0x3060C0));
        type("blue");
        TestGuest.awaitTyped(console(blue), "blue", 30);
        assertFalse(typed(red).contains("blue"), "Red got Blue's keys: " + typed(red));
        assertFalse(typed(blue).contains("red"), "Blue got Red's keys: " + typed(blue));
        for (UUID vm : List.of(red, blue)) {
            assertFalse(typed(vm).chars().anyMatch(ch -> ch < 0x20 && ch != '\r' && ch != '\n'),
                    "a chord key or a modifier leaked into a guest: " + typed(vm).chars().mapToObj(Integer::toHexString).toList());
        }

        chord(KEY_F12);
        awaitScreen("the control UI again", 60, this::showsUi);

        // A third VM, made and started in the UI, takes slot 3 and can be switched to.
        ui.robot.clickOn("#new-vm");
        ui.awaitText("#form-title", "New VM", 10);
        ui.type("#name", "Green");
        ui.type("#memory", "256");
        ui.type("#kernel", TestGuest.kernel().toString());
        ui.type("#ramdisk", TestGuest.initrd().toString());
        ui.type("#cmdline", TestGuest.cmdline("30A050"));
        ui.robot.clickOn("#submit");
        ui.awaitCell("Green", "col-state", "stopped", 20);
        assertEquals("3", ui.cell("Green", "col-slot"));
        ui.selectRow("Green");
        ui.robot.clickOn("#start");
        ui.awaitCell("Green", "col-state", "running", 90);
        UUID green = rpc(ToolstackApi.VM_SHOW, ref("Green")).definition().id();
        int greenColour = Integer.parseInt(rpc(ToolstackApi.VM_SHOW, ref("Green")).definition().colour().substring(1), 16);
        TestGuest.awaitConsole(console(green), TestGuest.READY, 180);
        chord(KEY_F1 + 2);
        awaitScreen("Green in slot 3", 60, s -> shows(s, greenColour, 0x30A050));
        type("green");
        TestGuest.awaitTyped(console(green), "green", 30);

        // Green's QEMU dies while it has the focus: the focus falls back to the UI, nothing else goes,
        // and polydeskd starts Green again (its first crash within a minute).
        long pid = rpc(ToolstackApi.VM_SHOW, ref("Green")).pid();
        exec("kill", "-9", String.valueOf(pid));
        awaitScreen("the control UI after Green's crash", 60, this::showsUi);
        try (RpcClient bus = RpcClient.connect(inputSocket)) {
            FocusChanged focus = bus.call(FocusBus.GET);
            assertEquals(0, focus.slot(), focus.toString());
        }
        ui.awaitCell("Green", "col-state", "running", 60);
        assertNotEquals(pid, rpc(ToolstackApi.VM_SHOW, ref("Green")).pid(), "a new QEMU");
        assertTrue(ui.log().stream().anyMatch(l -> l.contains("event: Green crashed (") && l.contains("restarting (1 of 3")),
                "the crash and the restart are in the log: " + ui.log());
        assertTrue(daemon.isAlive(), "polydeskd is up");
        for (Process p : services) {
            assertTrue(p.isAlive(), "every service is up");
        }
        assertTrue(xserver.isAlive(), "the UI's Xvnc is up");
        assertEquals(VmState.RUNNING, rpc(ToolstackApi.VM_SHOW, ref("Red")).state());
        chord(KEY_F1);
        awaitScreen("Red, still there", 60, s -> shows(s, 0xE0A000, 0xC03030));
    }

    // --- the processes ---

    private void startXvnc(Path socket) throws Exception {
        String display = ":" + System.getProperty("polydesk.e2e.display", "57");
        Files.deleteIfExists(Path.of("/tmp/.X11-unix/X" + display.substring(1)));
        Files.deleteIfExists(Path.of("/tmp/.X" + display.substring(1) + "-lock"));
        // GDK ends the JVM (exit 1) when its X server goes away, so Xvnc must outlive this JVM: the
        // reaper of TestProcesses ends it a second after the JVM is gone.
        Process x = TestProcesses.start(new ProcessBuilder("Xvnc", display, "-geometry", WIDTH + "x" + HEIGHT,
                "-depth", "24", "-SecurityTypes", "None", "-rfbunixpath", socket.toString(), "-rfbport", "-1",
                "-nolisten", "tcp").redirectErrorStream(true).redirectOutput(tmp.resolve("xvnc.log").toFile()));
        xserver = x;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            if (!x.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("Xvnc did not start: " + Files.readString(tmp.resolve("xvnc.log")));
            }
            Thread.sleep(50);
        }
    }

    private void service(String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        services.add(TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile())));
    }

    private UUID createAndStart(String name, int slot, String colour, String fill) throws Exception {
        VmDefinition def = VmDefinition.builder().name(name).slot(slot).colour(colour).memoryMib(256)
                .kernel(TestGuest.kernel().toString()).ramdisk(TestGuest.initrd().toString())
                .cmdline(TestGuest.cmdline(fill)).build();
        UUID id = rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(def)).definition().id();
        rpc(ToolstackApi.VM_START, ref(id.toString()));
        return id;
    }

    private <P, R> R rpc(RpcMethod<P, R> method, P params) throws IOException {
        try (RpcClient c = RpcClient.connect(daemon.socket())) {
            return c.call(method, params);
        }
    }

    private static ToolstackApi.VmRef ref(String vm) {
        return new ToolstackApi.VmRef(vm);
    }

    private Path console(UUID vm) {
        return Paths.vmDir(daemon.runDir(), vm).resolve("console.log");
    }

    /** What the guest echoed after READY: the keys it received. */
    private String typed(UUID vm) throws IOException {
        return TestGuest.typed(console(vm));
    }

    private void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    // --- the keyboard: evdev records into input-server's pipe ---

    private void key(int code, int value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.nativeOrder());
        long micros = System.currentTimeMillis() * 1000;
        b.putLong(micros / 1_000_000).putLong(micros % 1_000_000).putShort((short) 1).putShort((short) code).putInt(value);
        b.putLong(micros / 1_000_000).putLong(micros % 1_000_000).putShort((short) 0).putShort((short) 0).putInt(0);
        keyboard.write(b.array());
        keyboard.flush();
    }

    private void chord(int fkey) throws Exception {
        key(KEY_LEFTCTRL, 1);
        key(KEY_LEFTALT, 1);
        key(fkey, 1);
        key(fkey, 0);
        key(KEY_LEFTALT, 0);
        key(KEY_LEFTCTRL, 0);
    }

    /** Types lower-case letters (US layout), a little apart as a person would. */
    private void type(String text) throws Exception {
        String rows = "qwertyuiop|asdfghjkl|zxcvbnm";
        for (char c : text.toCharArray()) {
            int i = rows.indexOf(c);
            int code = i < 11 ? 16 + i : i < 21 ? 30 + i - 11 : 44 + i - 21;
            key(code, 1);
            key(code, 0);
            Thread.sleep(30);
        }
    }

    // --- the screen: the display server's PNG ---

    private record Shot(int width, int height, int[] rgb) {
        int at(int x, int y) {
            return rgb[y * width + x] & 0xFFFFFF;
        }

        /** How many pixels of the banner's row (upper part of the screen, middle) have this colour. */
        int bannerPixels(int colour) {
            int n = 0;
            for (int y = 8; y < height / 10; y += 4) {
                for (int x = width / 4; x < width * 3 / 4; x++) {
                    n += at(x, y) == colour ? 1 : 0;
                }
            }
            return n;
        }
    }

    /** Null when the screen shows a guest of {@code fill} under a banner of {@code banner}. */
    private static String shows(Shot s, int banner, int fill) {
        if (s.bannerPixels(banner) < 200) {
            return String.format("no %06X banner (centre %06X)", banner, s.at(s.width / 2, s.height / 2));
        }
        return s.at(s.width / 2, s.height / 2 + s.height / 8) == fill ? null
                : String.format("the guest's %06X is not in the middle: %06X", fill, s.at(s.width / 2, s.height / 2 + s.height / 8));
    }

    /** Null when the screen shows the control UI: its banner, a live picture (not the unavailable screen). */
    private String showsUi(Shot s) {
        if (s.bannerPixels(UI_BANNER) < 200) {
            return "no control UI banner";
        }
        int c = s.at(s.width / 2, s.height * 3 / 4);
        return c == UNAVAILABLE ? "the control UI's display is not available" : null;
    }

    private void awaitScreen(String what, long seconds, Function<Shot, String> check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String why = "no snapshot yet";
        while (System.nanoTime() < deadline) {
            if (Files.exists(screen)) {
                BufferedImage img = ImageIO.read(screen.toFile());
                if (img != null) {
                    Shot s = new Shot(img.getWidth(), img.getHeight(),
                            img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()));
                    why = check.apply(s);
                    if (why == null) {
                        return;
                    }
                }
            }
            Thread.sleep(50);
        }
        Files.copy(screen, tmp.resolve("failed.png"));
        throw new AssertionError(what + " not on the screen within " + seconds + " s: " + why
                + "\ndisplay log:\n" + tail(tmp.resolve("display.log")) + "\ninput log:\n" + tail(tmp.resolve("input.log")));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(none)";
        }
        String s = Files.readString(log);
        return s.substring(Math.max(0, s.length() - 3000));
    }
}
