package org.polydesk.display.testing;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * A ZRLE encoder (RFC 6143 §7.7.6) for tests: one zlib stream per instance, as per connection, and
 * a choice of tile subencoding so that every one can be exercised. 3-byte CPIXELs (B, G, R).
 */
public final class ZrleEncoder {
    /** Which subencoding tiles get; one that cannot express a tile falls back to raw. */
    public enum Mode { AUTO, RAW, SOLID, PACKED_PALETTE, PLAIN_RLE, PALETTE_RLE }

    private final Deflater deflater;
    private final byte[] buf = new byte[64 * 1024];

    public ZrleEncoder() {
        this(Deflater.DEFAULT_COMPRESSION);
    }

    public ZrleEncoder(int level) {
        deflater = new Deflater(level);
    }

    /** The rectangle's tiles, uncompressed. */
    public static byte[] tiles(int[] px, int stride, int x, int y, int w, int h, Mode mode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] tile = new int[64 * 64];
        for (int ty = 0; ty < h; ty += 64) {
            int th = Math.min(64, h - ty);
            for (int tx = 0; tx < w; tx += 64) {
                int tw = Math.min(64, w - tx);
                for (int r = 0; r < th; r++) {
                    System.arraycopy(px, (y + ty + r) * stride + x + tx, tile, r * tw, tw);
                }
                tile(out, tile, tw, th, mode);
            }
        }
        return out.toByteArray();
    }

    /** The data of one ZRLE rectangle as sent: u32 length, then this stream's next zlib bytes. */
    public byte[] rectangle(int[] px, int stride, int x, int y, int w, int h, Mode mode) {
        byte[] z = compress(tiles(px, stride, x, y, w, h, mode));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(z.length >>> 24);
        out.write(z.length >>> 16);
        out.write(z.length >>> 8);
        out.write(z.length);
        out.writeBytes(z);
        return out.toByteArray();
    }

    /** Compresses with a sync flush, as QEMU and TigerVNC do at the end of each rectangle. */
    public byte[] compress(byte[] data) {
        return compress(data, Deflater.SYNC_FLUSH);
    }

    /** Compresses with the given flush ({@link Deflater#FULL_FLUSH}: data that can be replayed). */
    public byte[] compress(byte[] data, int flush) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        deflater.setInput(data);
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, flush);
            out.write(buf, 0, n);
        } while (n == buf.length || !deflater.needsInput());
        return out.toByteArray();
    }

    private static void tile(ByteArrayOutputStream out, int[] t, int tw, int th, Mode mode) {
        int n = tw * th;
        Map<Integer, Integer> palette = new LinkedHashMap<>();
        for (int i = 0; i < n && palette.size() <= 127; i++) {
            palette.putIfAbsent(t[i] & 0xFFFFFF, palette.size());
        }
        int colours = palette.size();
        Mode m = mode;
        if (m == Mode.AUTO) {
            int runs = 1;
            for (int i = 1; i < n; i++) {
                runs += (t[i] & 0xFFFFFF) != (t[i - 1] & 0xFFFFFF) ? 1 : 0;
            }
            m = colours == 1 ? Mode.SOLID : colours <= 16 ? Mode.PACKED_PALETTE : colours <= 127 ? Mode.PALETTE_RLE
                    : runs * 4 < n * 3 ? Mode.PLAIN_RLE : Mode.RAW;
        }
        if (m == Mode.SOLID && colours != 1 || m == Mode.PACKED_PALETTE && (colours < 2 || colours > 16)
                || m == Mode.PALETTE_RLE && (colours < 2 || colours > 127)) {
            m = Mode.RAW;
        }
        switch (m) {
            case SOLID -> {
                out.write(1);
                cpixel(out, t[0]);
            }
            case PACKED_PALETTE -> {
                out.write(colours);
                palette.keySet().forEach(c -> cpixel(out, c));
                int bits = colours == 2 ? 1 : colours <= 4 ? 2 : 4;
                for (int r = 0; r < th; r++) {
                    int acc = 0;
                    int used = 0;
                    for (int c = 0; c < tw; c++) {
                        acc = acc << bits | palette.get(t[r * tw + c] & 0xFFFFFF);
                        used += bits;
                        if (used == 8) {
                            out.write(acc);
                            acc = 0;
                            used = 0;
                        }
                    }
                    if (used > 0) {
                        out.write(acc << (8 - used));
                    }
                }
            }
            case PLAIN_RLE, PALETTE_RLE -> {
                boolean pal = m == Mode.PALETTE_RLE;
                out.write(pal ? 128 + colours : 128);
                if (pal) {
                    palette.keySet().forEach(c -> cpixel(out, c));
                }
                for (int i = 0; i < n; ) {
                    int c = t[i] & 0xFFFFFF;
                    int run = 1;
                    while (i + run < n && (t[i + run] & 0xFFFFFF) == c) {
                        run++;
                    }
                    if (pal) {
                        out.write(palette.get(c) | (run > 1 ? 0x80 : 0));
                        if (run > 1) {
                            runLength(out, run);
                        }
                    } else {
                        cpixel(out, c);
                        runLength(out, run);
                    }
                    i += run;
                }
            }
            default -> {
                out.write(0);
                for (int i = 0; i < n; i++) {
                    cpixel(out, t[i]);
                }
            }
        }
    }

    private static void runLength(ByteArrayOutputStream out, int run) {
        int left = run - 1;
        while (left >= 255) {
            out.write(255);
            left -= 255;
        }
        out.write(left);
    }

    private static void cpixel(ByteArrayOutputStream out, int p) {
        out.write(p);
        out.write(p >>> 8);
        out.write(p >>> 16);
    }
}
