package org.polydesk.display.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.testsupport.Ppm;

/** A PNG the snapshot sink wrote, as 0xRRGGBB pixels, and the comparisons the tests make on it. */
public record Snapshot(int width, int height, int[] rgb) {

    public static Snapshot read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        if (img == null) {
            throw new IOException(png + " is not a PNG");
        }
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xFFFFFF;
        }
        return new Snapshot(img.getWidth(), img.getHeight(), px);
    }

    public int at(int x, int y) {
        return rgb[y * width + x];
    }

    public int centre() {
        return at(width / 2, height / 2);
    }

    /**
     * Null when this snapshot shows {@code guest} as the compositor should: 1:1 when the sizes are
     * equal, else scaled by {@code sourceOf} (output pixel → source pixel, null for letterbox, which
     * must be black); pixels inside {@code skip} (the banner) are not compared. Otherwise, what differs.
     */
    public String differenceFrom(Ppm guest, Function<int[], int[]> sourceOf, Rect skip) {
        long wrong = 0;
        String first = null;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (skip != null && x >= skip.x() && x < skip.x() + skip.width() && y >= skip.y()
                        && y < skip.y() + skip.height()) {
                    continue;
                }
                int[] s = sourceOf.apply(new int[] {x, y});
                int want = s == null ? 0 : guest.rgbAt(s[0], s[1]);
                if (at(x, y) != want) {
                    if (first == null) {
                        first = String.format("(%d,%d) is %06X, want %06X", x, y, at(x, y), want);
                    }
                    wrong++;
                }
            }
        }
        return wrong == 0 ? null : wrong + " pixels differ, first " + first;
    }

    /** Waits for a snapshot that {@code ok} accepts (null = accepted, else why not). */
    public static Snapshot await(Path png, long seconds, Function<Snapshot, String> ok) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String why = "no snapshot written";
        while (System.nanoTime() < deadline) {
            if (Files.exists(png)) {
                Snapshot s = read(png);
                why = ok.apply(s);
                if (why == null) {
                    return s;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the snapshot never became right within " + seconds + " s: " + why);
    }
}
