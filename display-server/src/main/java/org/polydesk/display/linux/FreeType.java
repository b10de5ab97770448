package org.polydesk.display.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One font file rasterised by libfreetype (libfreetype6), the library the JDK's own text uses: the
 * display server draws its few labels with it rather than with java.awt, whose fonts, Java2D and
 * their classes held about 10 MiB of dom0 for them (scripts/dom0-bench.sh). Glyphs come as 8-bit
 * coverage at one pixel size at a time. The structures are read at their C offsets on 64-bit
 * Linux (FreeType 2, {@code freetype.h}: checked against the headers with {@code offsetof}).
 * Not for several threads at once: every method holds the face's lock.
 */
public final class FreeType implements AutoCloseable {

    /** A glyph's coverage, {@code width * rows} bytes of 0..255 row by row; where it goes from the pen. */
    public record Glyph(byte[] coverage, int width, int rows, int left, int top, int advance) {
    }

    private interface Lib extends Library {
        Lib FT = Native.load("freetype", Lib.class);

        int FT_Init_FreeType(PointerByReference library);

        int FT_Done_FreeType(Pointer library);

        int FT_New_Face(Pointer library, String path, NativeLong index, PointerByReference face);

        int FT_Done_Face(Pointer face);

        int FT_Set_Pixel_Sizes(Pointer face, int width, int height);

        int FT_Load_Char(Pointer face, NativeLong charCode, int flags);
    }

    private static final int FT_LOAD_RENDER = 4;
    /** FT_PIXEL_MODE_GRAY: one byte of coverage a pixel. */
    private static final int PIXEL_MODE_GRAY = 2;
    // FT_FaceRec
    private static final long FACE_GLYPH = 152;
    private static final long FACE_SIZE = 160;
    // FT_SizeRec: metrics.ascender, .descender (26.6 pixels)
    private static final long SIZE_ASCENDER = 48;
    private static final long SIZE_DESCENDER = 56;
    // FT_GlyphSlotRec: advance.x (26.6), bitmap {rows, width, pitch, buffer, pixel_mode}, bitmap_left, bitmap_top
    private static final long SLOT_ADVANCE_X = 128;
    private static final long SLOT_ROWS = 152;
    private static final long SLOT_WIDTH = 156;
    private static final long SLOT_PITCH = 160;
    private static final long SLOT_BUFFER = 168;
    private static final long SLOT_PIXEL_MODE = 178;
    private static final long SLOT_LEFT = 192;
    private static final long SLOT_TOP = 196;

    private Pointer library;
    private Pointer face;
    private int pixelSize;

    private FreeType(Pointer library, Pointer face) {
        this.library = library;
        this.face = face;
    }

    /** Opens {@code file} (TrueType, OpenType, ...), its first face. */
    public static FreeType open(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("no font at " + file);
        }
        Lib ft;
        try {
            ft = Lib.FT;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("libfreetype cannot be loaded: " + e.getMessage());
        }
        PointerByReference lib = new PointerByReference();
        int r = ft.FT_Init_FreeType(lib);
        if (r != 0) {
            throw new IOException("FT_Init_FreeType failed: error " + r);
        }
        PointerByReference face = new PointerByReference();
        r = ft.FT_New_Face(lib.getValue(), file.toString(), new NativeLong(0), face);
        if (r != 0) {
            ft.FT_Done_FreeType(lib.getValue());
            throw new IOException("the font " + file + " cannot be read: FreeType error " + r);
        }
        return new FreeType(lib.getValue(), face.getValue());
    }

    /** Glyphs from now on are {@code px} pixels high (the em). */
    public synchronized void pixelSize(int px) throws IOException {
        checkOpen();
        if (px < 1 || px > 1024) {
            throw new IllegalArgumentException("a font size of " + px + " px");
        }
        if (px != pixelSize) {
            int r = Lib.FT.FT_Set_Pixel_Sizes(face, 0, px);
            if (r != 0) {
                throw new IOException("FT_Set_Pixel_Sizes(" + px + ") failed: error " + r);
            }
            pixelSize = px;
        }
    }

    /** How far the font reaches above the baseline at the current size, in whole pixels. */
    public synchronized int ascent() {
        checkOpen();
        return (int) Math.ceil(size().getLong(SIZE_ASCENDER) / 64.0);
    }

    /** How far it reaches below the baseline, in whole pixels (positive). */
    public synchronized int descent() {
        checkOpen();
        return (int) Math.ceil(-size().getLong(SIZE_DESCENDER) / 64.0);
    }

    /**
     * The glyph of {@code codePoint} at the current size (the font's "missing" glyph where it has
     * none); its advance in 26.6 fixed point, so that a line's glyphs are placed without each
     * one's rounding adding up.
     */
    public synchronized Glyph glyph(int codePoint) throws IOException {
        checkOpen();
        int r = Lib.FT.FT_Load_Char(face, new NativeLong(codePoint & 0xFFFFFFFFL), FT_LOAD_RENDER);
        if (r != 0) {
            throw new IOException("FT_Load_Char(U+" + Integer.toHexString(codePoint) + ") failed: error " + r);
        }
        Pointer slot = face.getPointer(FACE_GLYPH);
        int advance = (int) slot.getLong(SLOT_ADVANCE_X);
        int rows = slot.getInt(SLOT_ROWS);
        int width = slot.getInt(SLOT_WIDTH);
        int pitch = slot.getInt(SLOT_PITCH);
        Pointer buffer = slot.getPointer(SLOT_BUFFER);
        if (rows <= 0 || width <= 0 || buffer == null || slot.getByte(SLOT_PIXEL_MODE) != PIXEL_MODE_GRAY) {
            return new Glyph(new byte[0], 0, 0, 0, 0, advance);
        }
        byte[] coverage = new byte[width * rows];
        for (int y = 0; y < rows; y++) {
            // A negative pitch means the rows go upwards from the buffer's last row.
            long row = pitch >= 0 ? (long) y * pitch : (long) (rows - 1 - y) * -pitch;
            buffer.read(row, coverage, y * width, width);
        }
        return new Glyph(coverage, width, rows, slot.getInt(SLOT_LEFT), slot.getInt(SLOT_TOP), advance);
    }

    private Pointer size() {
        return face.getPointer(FACE_SIZE);
    }

    private void checkOpen() {
        if (face == null) {
            throw new IllegalStateException("the font is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (face != null) {
            Lib.FT.FT_Done_Face(face);
            Lib.FT.FT_Done_FreeType(library);
            face = null;
            library = null;
        }
    }
}
