package org.polydesk.display.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 24-bit RGB PNG files from XRGB pixels, row by row, with one deflater and two row buffers
 * used again for every file: no copy of the picture, no ImageIO. Rows use the PNG "Sub" filter (each byte
 * less the same byte of the pixel to its left), which turns a screen's flat areas into zeros, and
 * deflate's fastest level: a 1080p screen is written many times a minute.
 */
final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int CHUNK = 64 * 1024;

    private final int width;
    private final int height;
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private final CRC32 crc = new CRC32();
    private final int[] rowPixels;
    private final byte[] row;
    private final byte[] out = new byte[CHUNK];
    private int filled;

    PngEncoder(int width, int height) {
        if (width <= 0 || height <= 0 || width > (Integer.MAX_VALUE - 1) / 3) {
            throw new IllegalArgumentException("cannot write a " + width + "x" + height + " PNG");
        }
        this.width = width;
        this.height = height;
        this.rowPixels = new int[width];
        this.row = new byte[1 + 3 * width];
    }

    /** Where the rows come from: row {@code y}'s pixels (0x??RRGGBB, left to right) copied into {@code into}. */
    interface Rows {
        void copy(int y, int[] into);
    }

    /** Writes the picture {@code rows} gives, fetching each row just before it is encoded. */
    void write(Rows rows, OutputStream to) throws IOException {
        to.write(SIGNATURE);
        ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0); // 8-bit RGB, no interlace
        chunk(to, "IHDR", header.array(), 13);
        deflater.reset();
        filled = 0;
        for (int y = 0; y < height; y++) {
            row[0] = 1; // Sub
            rows.copy(y, rowPixels);
            int r0 = 0, g0 = 0, b0 = 0;
            for (int x = 0, i = 1; x < width; x++) {
                int v = rowPixels[x];
                int r = v >>> 16 & 0xFF, g = v >>> 8 & 0xFF, b = v & 0xFF;
                row[i++] = (byte) (r - r0);
                row[i++] = (byte) (g - g0);
                row[i++] = (byte) (b - b0);
                r0 = r;
                g0 = g;
                b0 = b;
            }
            deflater.setInput(row);
            while (!deflater.needsInput()) {
                deflateSome(to);
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            deflateSome(to);
        }
        if (filled > 0) {
            chunk(to, "IDAT", out, filled);
        }
        chunk(to, "IEND", out, 0);
    }

    /** Deflates into the output buffer, which goes out as an IDAT chunk each time it is full. */
    private void deflateSome(OutputStream to) throws IOException {
        filled += deflater.deflate(out, filled, out.length - filled);
        if (filled == out.length) {
            chunk(to, "IDAT", out, filled);
            filled = 0;
        }
    }

    private void chunk(OutputStream to, String type, byte[] data, int length) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        to.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        to.write(t);
        to.write(data, 0, length);
        crc.reset();
        crc.update(t);
        crc.update(data, 0, length);
        long c = crc.getValue();
        to.write(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
    }

    void close() {
        deflater.end();
    }
}
