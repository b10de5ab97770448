package org.polydesk.display.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.Pointer;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.rfb.Encodings;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.testing.FakeRfbServer;
import org.polydesk.display.testing.ServerStream;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.testsupport.Await;

/**
 * The pointer through the whole display server: a source's Cursor image is shown where the focus
 * bus says the pointer is, only while that slot has the focus and its place is known; a sink that
 * shows the pointer itself is told it and the frame stays the guest's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DisplayServerPointerTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final int GREY = 0x808080;
    private static final int TEAL = 0x008080;
    /** The guest's pointer: red over white, 3x2, hot spot in the middle of the lower row, top middle transparent. */
    private static final int RED = 0xFF0000;
    private static final int WHITE = 0xFFFFFF;

    @TempDir
    Path dir;

    /** Keeps what it was last given; shows the pointer itself when told to. */
    private static final class Screen implements Sink {
        private final boolean showsPointer;
        volatile int[] shown;
        volatile Pointer told;

        Screen(boolean showsPointer) {
            this.showsPointer = showsPointer;
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
            shown = frame.copyPixels();
        }

        @Override
        public boolean showPointer(Pointer pointer) {
            told = pointer;
            return showsPointer;
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

    private FakeRfbServer guest(String name, int rgb, boolean cursor) throws Exception {
        int[] px = new int[W * H];
        Arrays.fill(px, rgb);
        ServerStream s = ServerStream.handshake(W, H).update(cursor ? 2 : 1).rect(0, 0, W, H, Encodings.RAW).pixels(px);
        if (cursor) {
            s.rect(1, 1, 3, 2, Encodings.CURSOR).pixels(new int[] {RED, RED, RED, WHITE, WHITE, WHITE})
                    .u8(0b1010_0000).u8(0b1110_0000);
        }
        return new FakeRfbServer(dir.resolve(name + ".sock"), FakeRfbServer.sendThenHold(s.toByteArray()));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, 10, condition, () -> "");
    }

    /** The pointer's five opaque pixels with the hot spot at (x, y), the guest's grey around. */
    private static boolean pointerAt(Screen s, int x, int y) {
        return s.rgb(x - 1, y - 1) == RED && s.rgb(x, y - 1) == GREY && s.rgb(x + 1, y - 1) == RED
                && s.rgb(x - 1, y) == WHITE && s.rgb(x, y) == WHITE && s.rgb(x + 1, y) == WHITE
                && s.rgb(x - 2, y) == GREY && s.rgb(x + 2, y) == GREY && s.rgb(x, y + 1) == GREY;
    }

    @Test
    void theFocusedGuestsPointerIsDrawnWhereTheBusSaysWhileItsPlaceIsKnown() throws Exception {
        Screen screen = new Screen(false);
        try (FakeRfbServer one = guest("one", GREY, true);
             FakeRfbServer two = guest("two", TEAL, false);
             DisplayServer ds = new DisplayServer(screen, new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(),
                     Backoff.DEFAULT).start()) {
            ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
            ds.vmStarted(new VmLabel(2, "Two", 0x3030C0), RfbEndpoint.unix(two.path()));
            ds.focus(1);
            await(() -> screen.rgb(10, 20) == GREY, "slot 1's picture");
            assertTrue(!pointerAt(screen, 10, 20), "no place known yet: no pointer");

            ds.pointer(new PointerMoved(1, 10 / 63.0, 20 / 47.0));
            await(() -> pointerAt(screen, 10, 20), "the pointer at (10, 20)");
            ds.pointer(new PointerMoved(1, 40 / 63.0, 30 / 47.0));
            await(() -> pointerAt(screen, 40, 30) && screen.rgb(9, 19) == GREY, "moved to (40, 30), gone from (10, 20)");

            ds.focus(2);
            await(() -> screen.rgb(40, 30) == TEAL && screen.rgb(39, 29) == TEAL, "slot 2 shows no pointer of slot 1's");
            ds.focus(1);
            await(() -> pointerAt(screen, 40, 30), "back on slot 1: its pointer where it was left");
            ds.forgetPointer();
            await(() -> screen.rgb(39, 29) == GREY && screen.rgb(40, 30) == GREY, "the bus is gone: no pointer");
        }
    }

    @Test
    void aSinkThatShowsThePointerItselfIsToldItAndTheFrameStaysTheGuests() throws Exception {
        Screen viewer = new Screen(true);
        try (FakeRfbServer one = guest("one", GREY, true);
             DisplayServer ds = new DisplayServer(viewer, new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(),
                     Backoff.DEFAULT).start()) {
            ds.vmStarted(new VmLabel(1, "One", 0xC03030), RfbEndpoint.unix(one.path()));
            ds.focus(1);
            await(() -> viewer.rgb(10, 20) == GREY, "slot 1's picture");
            ds.pointer(new PointerMoved(1, 10 / 63.0, 20 / 47.0));
            await(() -> viewer.told != null, "the sink is told the pointer");
            assertEquals(10, viewer.told.x());
            assertEquals(20, viewer.told.y());
            assertNotNull(viewer.told.shape());
            assertEquals(List.of(1, 1, 3, 2), List.of(viewer.told.shape().hotX(), viewer.told.shape().hotY(),
                    viewer.told.shape().width(), viewer.told.shape().height()));
            assertEquals(GREY, viewer.rgb(10, 20), "the compositor left the pointer to the sink");
            assertEquals(GREY, viewer.rgb(9, 19));
        }
    }
}
