package org.polydesk.display.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.polydesk.display.framebuffer.Rect;

class ScalingTest {

    @Test
    void sameSizeIsOneToOne() {
        Scaling s = new Scaling(1280, 800, 1280, 800);
        assertTrue(s.isIdentity());
        assertEquals(new Rect(0, 0, 1280, 800), s.target());
        assertEquals(517, s.column(517));
    }

    @Test
    void otherShapesAreFittedAndCentredKeepingTheAspectRatio() {
        Scaling wide = new Scaling(1024, 768, 1280, 600);
        assertEquals(new Rect(240, 0, 800, 600), wide.target(), "pillarbox left and right");
        Scaling tall = new Scaling(1920, 1080, 1280, 1024);
        assertEquals(new Rect(0, 152, 1280, 720), tall.target(), "letterbox above and below");
        Scaling up = new Scaling(640, 480, 1920, 1080);
        assertEquals(new Rect(240, 0, 1440, 1080), up.target());
        assertFalse(up.isIdentity());
        assertEquals(0, up.column(0));
        assertEquals(639, up.column(1439));
        assertEquals(479, up.row(1079));
    }

    @Test
    void damageMapsToEveryOutputPixelThatShowsIt() {
        Random r = new Random(42);
        int[][] sizes = {{1024, 768, 1280, 600}, {640, 480, 1920, 1080}, {1920, 1200, 1366, 768}, {800, 600, 800, 600}};
        for (int[] sz : sizes) {
            Scaling s = new Scaling(sz[0], sz[1], sz[2], sz[3]);
            for (int i = 0; i < 200; i++) {
                int x = r.nextInt(sz[0]);
                int y = r.nextInt(sz[1]);
                Rect src = new Rect(x, y, 1 + r.nextInt(sz[0] - x), 1 + r.nextInt(sz[1] - y));
                Rect out = s.toOutput(src);
                Rect t = s.target();
                for (int oy = 0; oy < t.height(); oy++) {
                    int sy = s.row(oy);
                    if (sy < src.y() || sy >= src.y() + src.height()) {
                        continue;
                    }
                    for (int ox = 0; ox < t.width(); ox++) {
                        int sx = s.column(ox);
                        if (sx >= src.x() && sx < src.x() + src.width()) {
                            assertTrue(out.contains(new Rect(t.x() + ox, t.y() + oy, 1, 1)),
                                    src + " shows at output (" + (t.x() + ox) + "," + (t.y() + oy) + ") outside " + out);
                        }
                    }
                }
            }
        }
    }
}
