package org.polydesk.display.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.logging.Logger;
import org.polydesk.display.compose.HeadScales;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.focus.FocusBus;

/**
 * {@code Paths.SCREEN_FILE}: the size and scale of the monitor the control UI is shown on, for its
 * launcher (its Xvnc's geometry and JavaFX's scale). Written whole: a new file, synced, renamed
 * over the old one, so a reader never sees half a line.
 */
final class ScreenFile {
    private static final Logger LOG = Logger.getLogger(ScreenFile.class.getName());
    private final Path file;
    private String written;

    ScreenFile(Path file) {
        this.file = file;
    }

    /** "WIDTHxHEIGHT SCALE" of {@code sink} at {@code scale}. */
    static String line(int width, int height, double scale) {
        return String.format(Locale.ROOT, "%dx%d %s%n", width, height, scale == Math.rint(scale)
                ? String.valueOf((int) scale) : String.valueOf(scale));
    }

    /**
     * Writes the monitor the control UI is on ({@code display}'s, at the scale {@code scales} gives
     * it). While the UI is on none the file keeps the last: its launcher restarts the UI for a new
     * scale, which a UI that is not shown does not need.
     */
    void writeUiMonitor(DisplayServer display, HeadScales scales) {
        Sink ui = display.showing(FocusBus.UI_SLOT);
        if (ui != null) {
            write(ui, scales.on(ui.name(), ui.scale()));
        }
    }

    /** Writes what {@code sink} is now, when it changed; a failure is logged, the display goes on. */
    synchronized void write(Sink sink, double scale) {
        String line = line(sink.width(), sink.height(), scale);
        if (line.equals(written)) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".new");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written = line;
            LOG.info(() -> "screen for the control UI: " + line.strip() + " (" + file + ")");
        } catch (IOException e) {
            LOG.warning(() -> "cannot write " + file + ": " + e.getMessage());
        }
    }
}
