package org.polydesk.display.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.event.Event;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import org.junit.jupiter.api.Test;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;

/** The development window on JavaFX (Monocle, headless): it shows the frame, and its keys become evdev records. */
class WindowSinkTest {

    @Test
    void showsTheComposedPixelsAndTurnsKeysIntoEvdevRecords() throws Exception {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        WindowSink sink = new WindowSink(64, 48, "test", new InputRecords(records));
        try {
            Frame f = new Frame(64, 48);
            java.util.Arrays.fill(f.pixels(), 0xFF3060C0);
            for (int x = 0; x < 64; x++) {
                f.pixels()[10 * 64 + x] = 0xFFE0A000;
            }
            sink.present(f, List.of(new Rect(0, 0, 64, 48)));
            WritableImage shot = onFx(() -> sink.view().snapshot(null, null));
            assertEquals(0xFF3060C0, shot.getPixelReader().getArgb(5, 5));
            assertEquals(0xFFE0A000, shot.getPixelReader().getArgb(30, 10));

            // Only the damaged rectangle moves on.
            java.util.Arrays.fill(f.pixels(), 0xFF102030);
            sink.present(f, List.of(new Rect(0, 0, 8, 8)));
            WritableImage again = onFx(() -> sink.view().snapshot(null, null));
            assertEquals(0xFF102030, again.getPixelReader().getArgb(2, 2));
            assertEquals(0xFF3060C0, again.getPixelReader().getArgb(40, 40));

            onFx(() -> {
                var scene = sink.view().getScene();
                for (KeyCode k : new KeyCode[] {KeyCode.CONTROL, KeyCode.ALT, KeyCode.F2}) {
                    Event.fireEvent(scene, new KeyEvent(KeyEvent.KEY_PRESSED, "", "", k, false, false, false, false));
                }
                Event.fireEvent(scene, new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.F2, false, false, false, false));
                for (KeyCode k : new KeyCode[] {KeyCode.F2, KeyCode.ALT, KeyCode.CONTROL, KeyCode.F2}) {
                    Event.fireEvent(scene, new KeyEvent(KeyEvent.KEY_RELEASED, "", "", k, false, false, false, false));
                }
                return null;
            });
        } finally {
            sink.close();
        }
        // KEY_LEFTCTRL 29, KEY_LEFTALT 56, KEY_F2 60: press, press, press, repeat, releases; a
        // release of a key not held is not passed on. Each record is followed by a SYN_REPORT.
        List<int[]> got = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(records.toByteArray()).order(ByteOrder.nativeOrder());
        while (b.remaining() >= 24) {
            b.getLong();
            b.getLong();
            int type = b.getShort();
            int code = b.getShort();
            int value = b.getInt();
            if (type == InputRecords.EV_KEY) {
                got.add(new int[] {code, value});
            } else {
                assertEquals(InputRecords.EV_SYN, type);
            }
        }
        int[][] want = {{29, 1}, {56, 1}, {60, 1}, {60, 2}, {60, 0}, {56, 0}, {29, 0}};
        assertEquals(want.length, got.size(), "key records");
        for (int i = 0; i < want.length; i++) {
            assertArrayEquals(want[i], got.get(i), "record " + i);
        }
        assertEquals(0, b.remaining());
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        // Let pending buffer updates run first: they were queued before this.
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }
}
