package org.polydesk.display.sink;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;

/**
 * Writes the screen as a PNG file, at most once per {@code interval} and only when it changed, for
 * machines without a display and for tests. The file is replaced atomically, so a reader never sees
 * half a picture.
 */
public final class PngSink implements Sink {
    private static final Logger LOG = Logger.getLogger(PngSink.class.getName());

    private final Path file;
    private final BufferedImage image;
    private final int[] pixels;
    private final Thread writer;
    private final Object lock = new Object();
    private boolean dirty;
    private boolean closed;
    private long written;

    public PngSink(Path file, int width, int height, Duration interval) throws IOException {
        this.file = file.toAbsolutePath();
        Path dir = this.file.getParent();
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw new IOException("cannot write snapshots into " + dir);
        }
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        this.pixels = ((java.awt.image.DataBufferInt) image.getRaster().getDataBuffer()).getData();
        this.writer = new Thread(() -> writeLoop(interval.toMillis()), "png-sink");
        writer.setDaemon(true);
        writer.start();
    }

    public Path file() {
        return file;
    }

    /** How many snapshots were written so far. */
    public long written() {
        synchronized (lock) {
            return written;
        }
    }

    @Override
    public int width() {
        return image.getWidth();
    }

    @Override
    public int height() {
        return image.getHeight();
    }

    @Override
    public void present(Frame frame, List<Rect> damage) {
        synchronized (lock) {
            int w = frame.width();
            for (Rect r : damage) {
                for (int y = r.y(); y < r.y() + r.height(); y++) {
                    System.arraycopy(frame.pixels(), y * w + r.x(), pixels, y * w + r.x(), r.width());
                }
            }
            dirty = true;
            lock.notifyAll();
        }
    }

    private void writeLoop(long intervalMs) {
        while (true) {
            BufferedImage copy;
            synchronized (lock) {
                while (!dirty && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
                copy.setData(image.getRaster());
                dirty = false;
            }
            try {
                Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
                ImageIO.write(copy, "png", tmp.toFile());
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                synchronized (lock) {
                    written++;
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot write the snapshot " + file + ": " + e.getMessage());
            }
            synchronized (lock) {
                long until = System.nanoTime() + intervalMs * 1_000_000;
                while (!closed && System.nanoTime() < until) {
                    try {
                        lock.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public String describe() {
        return "PNG snapshots " + file + " " + width() + "x" + height();
    }

    /** Stops writing; a snapshot being written is finished first, so no temporary file is left. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
