package org.polydesk.display.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libfreetype read at its C offsets: the glyphs come out the shape and place the font gives them. */
class FreeTypeTest {
    private static final Path SANS = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");

    @Test
    void anIIsAnUprightBarOnTheBaselineAndAGHangsBelowIt() throws IOException {
        try (FreeType font = FreeType.open(SANS)) {
            font.pixelSize(40);
            // DejaVu Sans: ascender 0.928 em, descender 0.236 em, capitals 0.729 em high.
            assertEquals(38, font.ascent(), 1);
            assertEquals(10, font.descent(), 1);
            FreeType.Glyph i = font.glyph('I');
            assertEquals(29, i.rows(), 1, "a capital is 0.73 em high");
            assertEquals(i.rows(), i.top(), "it stands on the baseline");
            assertTrue(i.width() >= 3 && i.width() <= 8, "a bar: " + i.width());
            for (int y = 2; y < i.rows() - 2; y++) {
                assertEquals(255, i.coverage()[y * i.width() + i.width() / 2] & 0xFF, "solid down its middle, row " + y);
            }
            FreeType.Glyph g = font.glyph('g');
            assertTrue(g.rows() > g.top() + 5, "a g hangs below the baseline: top " + g.top() + ", rows " + g.rows());
            FreeType.Glyph m = font.glyph('m');
            assertTrue(m.advance() > i.advance() * 2, "an m is wider than two I's: " + m.advance() + " vs " + i.advance());
            assertEquals(0, font.glyph(' ').rows(), "a space has no pixels");
            assertTrue(font.glyph(' ').advance() > 0, "but takes room");
        }
    }

    @Test
    void aFileThatIsNoFontIsRefusedWithItsName(@TempDir Path tmp) throws IOException {
        Path notAFont = Files.writeString(tmp.resolve("notes.ttf"), "not a font");
        IOException e = assertThrows(IOException.class, () -> FreeType.open(notAFont));
        assertTrue(e.getMessage().contains(notAFont.toString()), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> FreeType.open(tmp.resolve("gone.ttf")));
        assertTrue(missing.getMessage().contains("gone.ttf"), missing.getMessage());
    }

    @Test
    void aClosedFontSaysSo() throws IOException {
        FreeType font = FreeType.open(SANS);
        font.close();
        font.close();
        assertThrows(IllegalStateException.class, () -> font.glyph('a'));
    }
}
