package org.polydesk.display.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.sink.Sink;

/** The screen file the control UI's launcher reads: "WxH SCALE", written whole, again only when it changed. */
class ScreenFileTest {
    @TempDir
    Path tmp;

    /** A sink of a size that changes, as a KMS screen's does when its monitor is swapped. */
    private static final class Screen implements Sink {
        int width = 3840;
        int height = 2160;

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return height;
        }

        @Override
        public void present(Frame frame, List<Rect> damage) {
        }

        @Override
        public String describe() {
            return "test screen";
        }
    }

    @Test
    void saysTheScreensSizeAndScaleAndChangesWithIt() throws Exception {
        Path file = tmp.resolve("run/screen");
        ScreenFile screen = new ScreenFile(file);
        Screen sink = new Screen();
        screen.write(sink, 1.5);
        assertEquals("3840x2160 1.5\n", Files.readString(file));
        assertFalse(Files.exists(tmp.resolve("run/screen.new")), "the new file was renamed into place");

        FileTime before = FileTime.fromMillis(1000);
        Files.setLastModifiedTime(file, before);
        screen.write(sink, 1.5);
        assertEquals(before, Files.getLastModifiedTime(file), "the same screen is not written again");

        sink.width = 1920;
        sink.height = 1080;
        screen.write(sink, 1);
        assertEquals("1920x1080 1\n", Files.readString(file));
        assertEquals("2560x1440 1.25\n", ScreenFile.line(2560, 1440, 1.25));
    }
}
