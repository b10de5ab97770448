package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A binary PPM (P6) image as QEMU's screendump writes it. */
public record Ppm(int width, int height, byte[] rgb) {

    public static Ppm read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int[] pos = {0};
        String magic = token(b, pos);
        if (!"P6".equals(magic)) {
            throw new IOException(file + " is not a binary PPM (magic " + magic + ")");
        }
        int w = Integer.parseInt(token(b, pos));
        int h = Integer.parseInt(token(b, pos));
        int max = Integer.parseInt(token(b, pos));
        if (max != 255) {
            throw new IOException(file + " has maxval " + max + ", expected 255");
        }
        pos[0]++; // the single whitespace after maxval
        byte[] rgb = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + w * h * 3);
        return new Ppm(w, h, rgb);
    }

    private static String token(byte[] b, int[] pos) {
        while (Character.isWhitespace(b[pos[0]])) {
            pos[0]++;
        }
        int start = pos[0];
        while (!Character.isWhitespace(b[pos[0]])) {
            pos[0]++;
        }
        return new String(b, start, pos[0] - start, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The pixel at (x, y) as 0xRRGGBB. */
    public int rgbAt(int x, int y) {
        int i = (y * width + x) * 3;
        return ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff);
    }

    public long distinctColours() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < height; y += 4) {
            for (int x = 0; x < width; x += 4) {
                seen.add(rgbAt(x, y));
            }
        }
        return seen.size();
    }

    /** The share of the pixels that are {@code rgb}, from every fourth pixel of every fourth row. */
    public double share(int rgb) {
        long n = 0;
        for (int y = 0; y < height; y += 4) {
            for (int x = 0; x < width; x += 4) {
                if (rgbAt(x, y) == rgb) {
                    n++;
                }
            }
        }
        return n / (double) (((height + 3) / 4) * ((width + 3) / 4));
    }
}
