package org.polydesk.display.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.time.Duration;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.HeadScales;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.protocol.focus.HeadShown;
import org.polydesk.protocol.rpc.Backoff;
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

    /** One of two monitors, with a size and scale of its own. */
    private static Sink monitor(String name, int w, int h, double scale) {
        return new Sink() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int width() {
                return w;
            }

            @Override
            public int height() {
                return h;
            }

            @Override
            public double scale() {
                return scale;
            }

            @Override
            public void present(Frame frame, List<Rect> damage) {
            }

            @Override
            public String describe() {
                return name;
            }
        };
    }

    @Test
    void followsTheMonitorTheControlUiIsOnAndKeepsTheLastWhileItIsOnNone() throws Exception {
        Sink laptop = monitor("eDP-1", 2560, 1600, 2);
        Sink side = monitor("HDMI-A-1", 1920, 1080, 1);
        Sink card = new Sink() {
            @Override
            public List<Sink> heads() {
                return List.of(laptop, side);
            }

            @Override
            public int width() {
                return laptop.width();
            }

            @Override
            public int height() {
                return laptop.height();
            }

            @Override
            public void present(Frame frame, List<Rect> damage) {
            }

            @Override
            public String describe() {
                return "a card with two monitors";
            }
        };
        Path file = tmp.resolve("screen");
        ScreenFile screen = new ScreenFile(file);
        HeadScales scales = HeadScales.parse("auto HDMI-A-1=1.25");
        try (DisplayServer display = new DisplayServer(card, new IndicatorStyle(Duration.ZERO, 2), RfbConfig.defaults(),
                Backoff.DEFAULT)) {
            display.scale(scales);
            display.onScreenChanged(() -> screen.writeUiMonitor(display, scales));
            display.start();
            screen.writeUiMonitor(display, scales);
            assertEquals("2560x1600 2\n", Files.readString(file), "at first the UI is on the first monitor");

            display.focus(0, List.of(new HeadShown("eDP-1", 1), new HeadShown("HDMI-A-1", 0)));
            assertEquals("1920x1080 1.25\n", Files.readString(file), "the bus put the UI on HDMI-A-1, at the scale the user set");

            display.focus(1, List.of(new HeadShown("eDP-1", 1), new HeadShown("HDMI-A-1", 2)));
            assertEquals("1920x1080 1.25\n", Files.readString(file), "the UI on no monitor: the file stays");
        }
    }
}
