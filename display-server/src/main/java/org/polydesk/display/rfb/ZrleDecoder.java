package org.polydesk.display.rfb;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.polydesk.display.framebuffer.FrameBuffer;

/**
 * ZRLE (RFC 6143 §7.7.6) into a frame buffer, a tile at a time. One zlib stream lives for the whole
 * connection; zlib reads each rectangle's compressed bytes straight from the socket buffer, so a
 * declared length costs no memory. CPIXELs are 3 bytes (B, G, R): the client's pixel format is
 * 32 bits, depth 24, little-endian, colours in the low three bytes.
 */
final class ZrleDecoder implements AutoCloseable {
    private static final int TILE = 64;
    private static final int OUT_SIZE = 64 * 1024;
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final Inflater inflater = new Inflater();
    /** Decompressed bytes; 4 spare bytes at the end let a CPIXEL be read as one 32-bit load. */
    private final byte[] out = new byte[OUT_SIZE + 4];
    private int outPos;
    private int outLim;
    private long compressedLeft;
    private int stalls;
    private RfbInput in;
    /** 128 entries for palette RLE; packed palettes use the first 16. */
    private final int[] palette = new int[128];
    /** One tile, decoded here (array stores are what ZRLE's loops are fast at), then copied into place. */
    private final int[] tile = new int[TILE * TILE];

    /** Worst case of any honest encoding of a w×h rectangle, with room for zlib's own overhead. */
    static long maxCompressedLength(int w, int h) {
        return 8L * w * h + 65536;
    }

    void decode(RfbInput input, FrameBuffer.Surface s, int x, int y, int w, int h) throws IOException {
        long length = input.u32();
        if (length > maxCompressedLength(w, h)) {
            throw new RfbProtocolException("ZRLE rectangle " + w + "x" + h + " declares " + length
                    + " bytes of data, more than any encoding of it needs");
        }
        in = input;
        compressedLeft = length;
        outPos = 0;
        outLim = 0;
        try {
            for (int ty = 0; ty < h; ty += TILE) {
                int th = Math.min(TILE, h - ty);
                for (int tx = 0; tx < w; tx += TILE) {
                    int tw = Math.min(TILE, w - tx);
                    tile(tw, th);
                    int base = (y + ty) * s.stride() + x + tx;
                    for (int r = 0; r < th; r++) {
                        s.pixels().put(base + r * s.stride(), tile, r * tw, tw);
                    }
                }
            }
            drainRest();
        } finally {
            in = null;
        }
    }

    /** Decodes one tile into {@link #tile}, its rows one after another. */
    private void tile(int tw, int th) throws IOException {
        int[] px = tile;
        int sub = u8();
        if (sub == 0) {
            for (int r = 0; r < th; r++) {
                ensure(tw * 3);
                int o = r * tw;
                int q = outPos;
                for (int c = 0; c < tw; c++, q += 3) {
                    px[o + c] = (int) LE_INT.get(out, q) | 0xFF000000; // byte 4 is the next pixel's: overwritten
                }
                outPos = q;
            }
        } else if (sub == 1) {
            Arrays.fill(px, 0, tw * th, cpixel());
        } else if (sub <= 16) {
            packedPalette(px, tw, th, sub);
        } else if (sub == 128) {
            runs(px, tw * th, 0);
        } else if (sub >= 130) {
            runs(px, tw * th, sub - 128);
        } else {
            throw new RfbProtocolException("ZRLE tile with unknown subencoding " + sub);
        }
    }

    /**
     * A packed palette tile: 1, 2 or 4 bits an index, rows padded to whole bytes. Unused palette
     * entries are 0, which no decoded colour is (all are opaque), so one test per row finds an index
     * outside the palette instead of one per pixel.
     */
    private void packedPalette(int[] px, int tw, int th, int size) throws IOException {
        int[] pal = palette;
        for (int i = 0; i < size; i++) {
            pal[i] = cpixel();
        }
        Arrays.fill(pal, size, 16, 0);
        int bits = size == 2 ? 1 : size <= 4 ? 2 : 4;
        int perByte = 8 / bits;
        int mask = (1 << bits) - 1;
        int rowBytes = (tw * bits + 7) / 8;
        int whole = tw / perByte;
        byte[] b = out;
        for (int r = 0; r < th; r++) {
            ensure(rowBytes);
            int o = r * tw;
            int q = outPos;
            int seen = -1;
            if (bits == 1) {
                for (int i = 0; i < whole; i++, o += 8) {
                    int v = b[q++];
                    px[o] = pal[(v >>> 7) & 1];
                    px[o + 1] = pal[(v >>> 6) & 1];
                    px[o + 2] = pal[(v >>> 5) & 1];
                    px[o + 3] = pal[(v >>> 4) & 1];
                    px[o + 4] = pal[(v >>> 3) & 1];
                    px[o + 5] = pal[(v >>> 2) & 1];
                    px[o + 6] = pal[(v >>> 1) & 1];
                    px[o + 7] = pal[v & 1];
                }
            } else if (bits == 2) {
                for (int i = 0; i < whole; i++, o += 4) {
                    int v = b[q++];
                    int p0 = pal[(v >>> 6) & 3];
                    int p1 = pal[(v >>> 4) & 3];
                    int p2 = pal[(v >>> 2) & 3];
                    int p3 = pal[v & 3];
                    px[o] = p0;
                    px[o + 1] = p1;
                    px[o + 2] = p2;
                    px[o + 3] = p3;
                    seen &= p0 & p1 & p2 & p3;
                }
            } else {
                for (int i = 0; i < whole; i++, o += 2) {
                    int v = b[q++];
                    int p0 = pal[(v >>> 4) & 15];
                    int p1 = pal[v & 15];
                    px[o] = p0;
                    px[o + 1] = p1;
                    seen &= p0 & p1;
                }
            }
            if (whole * perByte < tw) { // the row's last byte, partly used
                int v = b[q++];
                for (int c = whole * perByte, shift = 8 - bits; c < tw; c++, o++, shift -= bits) {
                    int p = pal[(v >>> shift) & mask];
                    px[o] = p;
                    seen &= p;
                }
            }
            if (seen >>> 24 != 0xFF) {
                throw new RfbProtocolException("ZRLE packed palette index " + firstIndexAtLeast(size, bits, tw)
                        + " outside a palette of " + size);
            }
            outPos = q;
        }
    }

    /** For the error message: the first index in the row at {@code outPos} that is not below {@code size}. */
    private int firstIndexAtLeast(int size, int bits, int tw) {
        for (int c = 0; c < tw; c++) {
            int index = (out[outPos + c * bits / 8] >>> (8 - bits - c * bits % 8)) & ((1 << bits) - 1);
            if (index >= size) {
                return index;
            }
        }
        return -1;
    }

    /**
     * Plain RLE ({@code paletteSize} 0) or palette RLE of a tile of {@code total} pixels: a run may
     * wrap rows, which lie one after another in the tile.
     */
    private void runs(int[] px, int total, int paletteSize) throws IOException {
        for (int i = 0; i < paletteSize; i++) {
            palette[i] = cpixel();
        }
        int done = 0;
        while (done < total) {
            int colour;
            int length = 1;
            if (paletteSize == 0) {
                colour = cpixel();
                length = runLength(total - done);
            } else {
                int b = u8();
                int index = b & 0x7f;
                if (index >= paletteSize) {
                    throw new RfbProtocolException("ZRLE palette RLE index " + index + " outside a palette of "
                            + paletteSize);
                }
                colour = palette[index];
                if ((b & 0x80) != 0) {
                    length = runLength(total - done);
                }
            }
            Arrays.fill(px, done, done + length, colour);
            done += length;
        }
    }

    private int runLength(int left) throws IOException {
        int length = 1;
        int b;
        do {
            b = u8();
            length += b;
            if (length > left) {
                throw new RfbProtocolException("ZRLE run of " + length + " pixels overruns its tile (" + left
                        + " left)");
            }
        } while (b == 255);
        return length;
    }

    private int u8() throws IOException {
        if (outPos == outLim) {
            ensure(1);
        }
        return out[outPos++] & 0xff;
    }

    private int cpixel() throws IOException {
        ensure(3);
        int p = (int) LE_INT.get(out, outPos) | 0xFF000000;
        outPos += 3;
        return p;
    }

    /** Inflates until {@code n} bytes are ready, from this rectangle's compressed bytes only. */
    private void ensure(int n) throws IOException {
        if (outLim - outPos >= n) {
            return;
        }
        System.arraycopy(out, outPos, out, 0, outLim - outPos);
        outLim -= outPos;
        outPos = 0;
        while (outLim < n) {
            int got = inflate(out, outLim, OUT_SIZE - outLim);
            if (got < 0) {
                throw new RfbProtocolException("ZRLE data ends before the rectangle's last tile");
            }
            outLim += got;
        }
    }

    /**
     * One inflate step: feeds compressed bytes when zlib needs them. Returns the bytes produced (may
     * be 0) or -1 once this rectangle's compressed bytes are all used and zlib has nothing more.
     */
    private int inflate(byte[] dst, int off, int len) throws IOException {
        if (inflater.finished()) {
            throw new RfbProtocolException("server ended the ZRLE zlib stream");
        }
        if (inflater.needsDictionary()) {
            throw new RfbProtocolException("ZRLE zlib stream asks for a preset dictionary");
        }
        boolean fed = false;
        if (inflater.needsInput()) {
            if (compressedLeft == 0) {
                return -1;
            }
            // zlib reads straight from the socket buffer, all that is there of this rectangle.
            ByteBuffer chunk = in.take((int) Math.min(Integer.MAX_VALUE, compressedLeft));
            compressedLeft -= chunk.remaining();
            inflater.setInput(chunk);
            fed = true;
        }
        int got;
        try {
            got = inflater.inflate(dst, off, len);
        } catch (DataFormatException e) {
            throw new RfbProtocolException("corrupt ZRLE zlib data: " + e.getMessage(), e);
        }
        // Each step must produce output or take input; anything else would spin forever.
        if (got == 0 && !fed && !inflater.needsInput() && !inflater.finished() && !inflater.needsDictionary()) {
            if (++stalls > 16) {
                throw new RfbProtocolException("ZRLE zlib stream makes no progress");
            }
        } else {
            stalls = 0;
        }
        return got;
    }

    /** After the last tile: the rest of the rectangle's bytes must decompress to nothing (a flush). */
    private void drainRest() throws IOException {
        if (outPos != outLim) {
            throw new RfbProtocolException("ZRLE data continues after the rectangle's last tile");
        }
        outPos = 0;
        outLim = 0;
        int got;
        while ((got = inflate(out, 0, OUT_SIZE)) >= 0) {
            if (got > 0) {
                throw new RfbProtocolException("ZRLE data continues after the rectangle's last tile");
            }
            if (inflater.needsInput() && compressedLeft == 0) {
                return;
            }
        }
    }

    @Override
    public void close() {
        inflater.end();
    }
}
