package org.polydesk.display.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Compositor;
import org.polydesk.display.compose.Content;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.framebuffer.Rect;

/** The PNG files the sink writes, read back with the JDK's own PNG reader: every pixel as it was drawn. */
class PngSinkTest {
    @TempDir
    Path tmp;

    @Test
    void encodedPicturesReadBackPixelForPixel() throws Exception {
        Random random = new Random(7);
        for (int[] size : new int[][] {{1, 1}, {3, 2}, {641, 479}, {1920, 1080}}) {
            int w = size[0], h = size[1];
            int[] noise = new int[w * h];
            int[] flat = new int[w * h];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = random.nextInt(); // the top byte is whatever a source sent: not in the file
                flat[i] = (i % w) < w / 2 ? 0x262626 : 0xFFC03030;
            }
            PngEncoder encoder = new PngEncoder(w, h);
            for (int[] picture : List.of(noise, flat, noise)) { // the encoder is used again and again
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                encoder.write((y, into) -> System.arraycopy(picture, y * w, into, 0, w), out);
                BufferedImage read = ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
                assertEquals(w, read.getWidth());
                assertEquals(h, read.getHeight());
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int want = picture[y * w + x] & 0xFFFFFF;
                        int got = read.getRGB(x, y) & 0xFFFFFF;
                        if (want != got) {
                            throw new AssertionError(w + "x" + h + " at " + x + "," + y + ": " + Integer.toHexString(got)
                                    + " instead of " + Integer.toHexString(want));
                        }
                    }
                }
            }
            encoder.close();
        }
        assertThrows(IllegalArgumentException.class, () -> new PngEncoder(0, 10));
    }

    @Test
    void theSinkWritesWhatWasPresentedAndNoTemporaryFile() throws Exception {
        Path file = tmp.resolve("screen.png");
        PngSink sink = new PngSink(file, 64, 48, Duration.ofMillis(10));
        try {
            Frame frame = new Frame(64, 48);
            int[] px = frame.pixels();
            for (int i = 0; i < px.length; i++) {
                int x = i % 64, y = i / 64;
                px[i] = x >= 10 && x < 30 && y >= 5 && y < 15 ? 0xFFE0C040 : 0xFF102030;
            }
            sink.present(frame, List.of(new Rect(0, 0, 64, 48)));
            BufferedImage read = awaitSnapshot(file, png -> (png.getRGB(15, 8) & 0xFFFFFF) == 0xE0C040);
            assertEquals(0xE0C040, read.getRGB(15, 8) & 0xFFFFFF);
            assertEquals(0x102030, read.getRGB(0, 0) & 0xFFFFFF);
            assertEquals(0x102030, read.getRGB(63, 47) & 0xFFFFFF);
        } finally {
            sink.close();
        }
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList(), "only the snapshot is left");
        }
    }

    @Test
    void theCompositorDrawsIntoTheSinksOwnMemory() throws Exception {
        Path file = tmp.resolve("screen.png");
        PngSink sink = new PngSink(file, 64, 48, Duration.ofMillis(10));
        try {
            Frame frame = sink.createFrame();
            assertTrue(frame.inSinkMemory(), "the frame is the sink's memory, outside the heap");
            Compositor compositor = new Compositor(frame, new IndicatorStyle(Duration.ofSeconds(1), 3));
            List<Rect> damage = compositor.show(new Content.Unavailable(new VmLabel(1, "W", 0xC03030), "off"), false);
            sink.present(frame, damage);
            BufferedImage read = awaitSnapshot(file, png -> (png.getRGB(0, 0) & 0xFFFFFF) == 0xC03030);
            assertEquals(0xC03030, read.getRGB(63, 47) & 0xFFFFFF, "the border in the VM's colour");
            assertEquals(0x262626, read.getRGB(4, 4) & 0xFFFFFF, "inside it the screen of a VM whose display is not there");
        } finally {
            sink.close();
        }
    }

    @Test
    void aSizeTooLargeForOnePictureIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PngSink(tmp.resolve("s.png"), 65536, 65536, Duration.ofSeconds(1)));
    }

    /** The snapshot once {@code shows} holds for it, within 10 s. */
    private static BufferedImage awaitSnapshot(Path file, Predicate<BufferedImage> shows) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        BufferedImage read = null;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                read = ImageIO.read(file.toFile());
                if (read != null && shows.test(read)) {
                    return read;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(read == null ? "no snapshot written within 10 s" : "the snapshot did not show it within 10 s");
    }
}
