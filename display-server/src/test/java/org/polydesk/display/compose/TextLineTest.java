package org.polydesk.display.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The labels' text: drawn in the box's middle, measured, and cut with an ellipsis where it is too long. */
class TextLineTest {

    @Test
    void textIsDrawnCentredInTheBox() {
        Sprite s = Sprite.text("Bench one", 400, 60, 0x000000, 0xFFFFFF, 24, true);
        int left = 400;
        int right = -1;
        int top = 60;
        int bottom = -1;
        int white = 0;
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 400; x++) {
                int p = s.argb()[y * 400 + x];
                assertEquals(0xFF, p >>> 24, "opaque");
                if ((p & 0xFFFFFF) != 0) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
                white += p == 0xFFFFFFFF ? 1 : 0;
            }
        }
        assertTrue(white > 100, "solid strokes: " + white);
        assertEquals(400 - 1 - right, left, 3, "as much room left as right: " + left + ".." + right);
        assertEquals(60 - 1 - bottom, top, 4, "as much room above as below: " + top + ".." + bottom);
        int measured = Sprite.textWidth("Bench one", 24, true);
        assertEquals(measured, right - left + 1, 4, "the measured width is the drawn one");
    }

    @Test
    void widthGrowsWithTheTextAndTheSize() {
        int one = Sprite.textWidth("Bench", 20, false);
        assertTrue(one > 30, "" + one);
        assertTrue(Sprite.textWidth("Bench one", 20, false) > one);
        assertEquals(2 * one, Sprite.textWidth("Bench", 40, false), 4);
        assertTrue(Sprite.textWidth("Bench", 20, true) > one, "bold is wider");
    }

    @Test
    void aLineTooLongIsCutToTheBoxWithAnEllipsis() {
        String name = "A name a guest chose that is much longer than any banner".repeat(4);
        TextLine cut = TextLine.of(name, 20, false, 300);
        assertTrue(cut.width() <= 300 && cut.width() > 250, "" + cut.width());
        TextLine whole = TextLine.of("Short", 20, false, 300);
        assertEquals(Sprite.textWidth("Short", 20, false), whole.width(), "what fits is not cut");
        assertTrue(TextLine.of("Short…", 20, false, 300).width() > whole.width(), "an ellipsis takes room");
    }

    @Test
    void controlCharactersAndEmptyTextDrawNothingStrange() {
        Sprite s = Sprite.text("a\nb\u0007", 100, 30, 0x102030, 0xFFFFFF, 14, false);
        assertEquals(100 * 30, s.argb().length);
        Sprite empty = Sprite.text("", 50, 20, 0x102030, 0xFFFFFF, 14, false);
        for (int p : empty.argb()) {
            assertEquals(0xFF102030, p);
        }
    }
}
