package org.polydesk.display.viewer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.fbdev.FbGeometry;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.sink.FramebufferSink;
import org.polydesk.display.source.Backoff;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * The monitor changing hands: dom0's framebuffer (over memory here; in a guest in
 * FramebufferInGuestTest) until a passthrough VM starts, its viewer (a double over a real socket
 * and shared file) while it runs, dom0's framebuffer opened again once it is back.
 */
class MonitorSinkTest {
    private static final int W = 64;
    private static final int H = 48;

    @TempDir
    Path dir;

    private static Frame filled(int argb) {
        Frame f = new Frame(W, H);
        java.util.Arrays.fill(f.pixels(), argb);
        return f;
    }

    private static int[] pixels(ByteBuffer fb) {
        int[] out = new int[W * H];
        fb.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    @Test
    void thePassthroughVmTakesTheMonitorAndDom0GetsItBack() throws Exception {
        List<ByteBuffer> framebuffers = new ArrayList<>();
        AtomicBoolean consoleBack = new AtomicBoolean(true);
        MonitorSink monitor = MonitorSink.open(() -> {
            if (!consoleBack.get()) {
                throw new IOException("/dev/fb0: No such file or directory");
            }
            FbGeometry g = FbGeometry.xrgb8888(W, H);
            ByteBuffer memory = ByteBuffer.allocateDirect((int) g.mappedLength());
            framebuffers.add(memory);
            return new FramebufferSink(g, memory);
        }, Files.createDirectories(dir.resolve("shm")), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)));
        AtomicInteger repaints = new AtomicInteger();
        monitor.onRepaintNeeded(repaints::incrementAndGet);
        monitor.focused(1);
        List<Rect> whole = List.of(new Rect(0, 0, W, H));

        monitor.present(filled(0xFFAA0000), whole);
        assertEquals(0xFFAA0000, pixels(framebuffers.get(0))[0], "dom0's framebuffer shows the frame");

        Path sock = dir.resolve("viewer.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            monitor.passthroughStarted(3, sock);
            assertEquals(1, repaints.get(), "a new owner gets a whole frame");
            ViewerDouble viewer = new ViewerDouble(server.accept());
            long size = FrameRegion.bytesFor(W, H, 2);
            FrameRegion region;
            try (FileChannel f = FileChannel.open(dir.resolve("shm/v"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                region = FrameRegion.create(f.map(FileChannel.MapMode.READ_WRITE, 0, size), W, H, 2);
            }
            viewer.send(new ViewerMessage.Hello(W, H, new ViewerMessage.SharedFile("v", size)));
            viewer.next(ViewerMessage.Show.class);

            monitor.present(filled(0xFF00BB00), whole);
            ViewerMessage.Frame notice = viewer.nextFrame();
            int[] shown = new int[W * H];
            region.pixels(notice.buffer()).get(0, shown);
            assertEquals(0xFF00BB00, shown[0], "the viewer's region has the frame");
            assertArrayEquals(pixels(framebuffers.get(0)), filledArray(0xFFAA0000),
                    "dom0's framebuffer is no longer written");

            monitor.focused(3);
            viewer.next(ViewerMessage.Hide.class);

            consoleBack.set(false);
            monitor.passthroughStopped(3);
            viewer.closedByDom0();
            monitor.present(filled(0xFF0000CC), List.of(new Rect(0, 0, 1, 1))); // nowhere to go yet, no harm
            assertEquals(1, framebuffers.size());
            consoleBack.set(true);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (framebuffers.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                monitor.present(filled(0xFF0000CC), List.of(new Rect(0, 0, 1, 1)));
            }
            assertEquals(2, framebuffers.size(), "dom0's framebuffer opened again once it was back");
            assertArrayEquals(filledArray(0xFF0000CC), pixels(framebuffers.get(1)),
                    "the reopened framebuffer gets the whole frame, not just the last damage");
            assertTrue(repaints.get() >= 2);
        }
        monitor.close();
    }

    private static int[] filledArray(int argb) {
        int[] a = new int[W * H];
        java.util.Arrays.fill(a, argb);
        return a;
    }
}
