package org.polydesk.display.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.console.TextConsole;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.sink.Sink;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.testsupport.Await;

/**
 * The console chord's screen: with the focus on {@link FocusBus#CONSOLE} the display server hands
 * the screen to dom0's text console and draws nothing until the focus leaves, then takes it back and
 * draws it whole. The console here is a double that records what it was told and when; fbcon's own
 * drawing is the ISO boot test's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DisplayServerConsoleTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final int GREY = 0x808080;

    @TempDir
    Path dir;

    /** A console double: on the screen between show and hide; can be made to fail. */
    private static final class Console implements TextConsole {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile boolean onScreen;
        volatile boolean failShow;

        @Override
        public void show() throws IOException {
            calls.add("show");
            if (failShow) {
                throw new IOException("no fbcon here");
            }
            onScreen = true;
        }

        @Override
        public void hide() {
            calls.add("hide");
            onScreen = false;
        }

        @Override
        public String describe() {
            return "a test console";
        }
    }

    /** Counts frames, and the frames given while the console had the screen (there must be none). */
    private static final class Screen implements Sink {
        final Console console;
        volatile int frames;
        volatile int framesOverConsole;
        volatile int[] shown;

        Screen(Console console) {
            this.console = console;
        }

        @Override
        public int width() {
            return W;
        }

        @Override
        public int height() {
            return H;
        }

        @Override
        public void present(Frame frame, List<Rect> damage) {
            if (console.onScreen) {
                framesOverConsole++;
            }
            shown = frame.copyPixels();
            frames++;
        }

        @Override
        public String describe() {
            return "a test screen";
        }

        int rgb(int x, int y) {
            int[] px = shown;
            return px == null ? -1 : px[y * W + x] & 0xFFFFFF;
        }
    }

    private FakeRfbServer guest() throws Exception {
        int[] px = new int[W * H];
        Arrays.fill(px, GREY);
        return new FakeRfbServer(dir.resolve("one.sock"), FakeRfbServer.sendThenHold(
                ServerStream.handshake(W, H).update(1).rect(0, 0, W, H, Encodings.RAW).pixels(px).toByteArray()));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, 10, condition, () -> "");
    }

    /** A display server on {@code screen} showing the grey guest in slot 1, with {@code console} if not null. */
    private static DisplayServer showingSlotOne(Screen screen, Console console, FakeRfbServer one) throws Exception {
        DisplayServer ds = new DisplayServer(screen, new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(),
                Backoff.DEFAULT).start();
        if (console != null) {
            ds.useTextConsole(console);
        }
        ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
        ds.focus(1);
        await(() -> screen.rgb(10, 20) == GREY, "slot 1's picture");
        return ds;
    }

    @Test
    void theConsoleHasTheScreenUntilTheFocusLeavesThenEverythingIsDrawnAgain() throws Exception {
        Console console = new Console();
        Screen screen = new Screen(console);
        try (FakeRfbServer one = guest(); DisplayServer ds = showingSlotOne(screen, console, one)) {
            ds.focus(FocusBus.CONSOLE);
            await(ds::consoleShown, "the console has the screen");
            assertEquals(List.of("show"), console.calls);
            // What would make a frame (the focused VM renamed: drawn whole; the pointer moving) makes none
            // while the console shows.
            for (int i = 0; i < 20; i++) {
                ds.relabel(new VmLabel(1, "One " + i, 0xC03030));
                ds.pointer(new PointerMoved(1, i / 20.0, 0.5));
                Thread.yield();
            }
            ds.focus(FocusBus.CONSOLE);
            assertEquals(1, ds.focusedSlot(), "the slot behind the console is kept");

            int before = screen.frames;
            ds.focus(1);
            await(() -> !ds.consoleShown() && screen.frames > before, "back on slot 1, drawn again");
            assertEquals(List.of("show", "hide"), console.calls);
            assertEquals(GREY, screen.rgb(10, 20));
            assertEquals(0, screen.framesOverConsole, "no frame while the console had the screen");
        }
    }

    @Test
    void aConsoleThatCannotBeShownLeavesTheScreenAsItWas() throws Exception {
        Console console = new Console();
        console.failShow = true;
        Screen screen = new Screen(console);
        try (FakeRfbServer one = guest(); DisplayServer ds = showingSlotOne(screen, console, one)) {
            ds.focus(FocusBus.CONSOLE);
            await(() -> console.calls.contains("show"), "the console was asked");
            int before = screen.frames;
            ds.pointer(new PointerMoved(1, 0.5, 0.5));
            ds.focus(1);
            await(() -> screen.frames > before, "slot 1 is still drawn");
            assertFalse(ds.consoleShown());
        }
    }

    @Test
    void withoutAConsoleTheChordChangesNothing() throws Exception {
        Console unused = new Console();
        Screen screen = new Screen(unused);
        try (FakeRfbServer one = guest(); DisplayServer ds = showingSlotOne(screen, null, one)) {
            ds.focus(FocusBus.CONSOLE);
            assertFalse(ds.consoleShown());
            assertEquals(1, ds.focusedSlot());
            assertTrue(unused.calls.isEmpty());
        }
    }
}
