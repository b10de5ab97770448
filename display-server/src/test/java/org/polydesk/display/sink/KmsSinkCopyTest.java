package org.polydesk.display.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.polydesk.display.framebuffer.Rect;

/**
 * The KMS sink's catch-up of the buffer behind the screen: exactly the pixels the frame on the
 * screen changed and the new frame did not draw are copied, whatever the rectangles.
 */
class KmsSinkCopyTest {
    private static final int W = 64;
    private static final int H = 40;
    private static final int STRIDE = 72;

    @Test
    void copiesWhatThePreviousFrameChangedExceptWhereTheNewOneDrew() {
        Random random = new Random(23);
        for (int round = 0; round < 400; round++) {
            List<Rect> previous = rects(random);
            List<Rect> drawn = rects(random);
            IntBuffer from = IntBuffer.allocate(STRIDE * H);
            IntBuffer to = IntBuffer.allocate(STRIDE * H);
            for (int i = 0; i < STRIDE * H; i++) {
                from.put(i, 1_000_000 + i);
                to.put(i, i);
            }
            KmsSink.copyUncovered(previous, drawn, from, to, STRIDE, W, H);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < STRIDE; x++) {
                    boolean copied = x < W && inside(previous, x, y) && !inside(drawn, x, y);
                    int i = y * STRIDE + x;
                    assertEquals(copied ? from.get(i) : i, to.get(i), "round " + round + " pixel (" + x + "," + y
                            + ") previous " + previous + " drawn " + drawn);
                }
            }
        }
    }

    @Test
    void aFullFrameDrawnCopiesNothing() {
        IntBuffer from = IntBuffer.allocate(STRIDE * H);
        IntBuffer to = IntBuffer.allocate(STRIDE * H);
        from.put(0, 7);
        KmsSink.copyUncovered(List.of(new Rect(0, 0, W, H)), List.of(new Rect(0, 0, W, H)), from, to, STRIDE, W, H);
        assertEquals(0, to.get(0));
    }

    /** Up to five rectangles, some reaching past the screen's edges. */
    private static List<Rect> rects(Random random) {
        List<Rect> out = new ArrayList<>();
        for (int n = random.nextInt(6); n > 0; n--) {
            int x = random.nextInt(W + 8) - 4;
            int y = random.nextInt(H + 8) - 4;
            out.add(new Rect(x, y, 1 + random.nextInt(W / 2), 1 + random.nextInt(H / 2)));
        }
        return out;
    }

    private static boolean inside(List<Rect> rects, int x, int y) {
        for (Rect r : rects) {
            if (x >= r.x() && x < r.x() + r.width() && y >= r.y() && y < r.y() + r.height()) {
                return true;
            }
        }
        return false;
    }
}
