package org.polydesk.display.viewer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.bus.PassthroughVm;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.linux.FbGeometry;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.sink.FramebufferSink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * The monitor changing hands under a running display server: dom0's framebuffer (XRGB8888
 * memory the compositor draws into) until a passthrough VM starts, its viewer (a double over a
 * real socket, offering pages that the VM's domain granted, in a grant-table double) while it
 * runs, then dom0's framebuffer again once it is back; the VM's pages are unmapped when it stops.
 */
class MonitorSinkTest {
    private static final int W = 160;
    private static final int H = 120;
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(100));

    @TempDir
    Path dir;

    private static int[] pixels(ByteBuffer fb) {
        int[] out = new int[W * H];
        fb.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(done.getAsBoolean(), what + " within 10 s");
    }

    /** dom0's framebuffer in memory, said to be on the integrated GPU. */
    private static final class IntegratedScreen implements org.polydesk.display.sink.Sink {
        final ByteBuffer memory;
        final FramebufferSink inner;

        IntegratedScreen() throws IOException {
            FbGeometry g = FbGeometry.xrgb8888(W, H);
            memory = ByteBuffer.allocateDirect((int) g.mappedLength());
            inner = new FramebufferSink(g, memory);
        }

        @Override
        public int width() {
            return W;
        }

        @Override
        public int height() {
            return H;
        }

        @Override
        public org.polydesk.display.compose.Frame createFrame() {
            return inner.createFrame();
        }

        @Override
        public void present(org.polydesk.display.compose.Frame frame, List<org.polydesk.display.framebuffer.Rect> damage) {
            inner.present(frame, damage);
        }

        @Override
        public String pciDevice() {
            return "0000:00:02.0";
        }

        @Override
        public String describe() {
            return "dom0's screen on the integrated GPU";
        }
    }

    @Test
    void aVmWithAGpuOfItsOwnLeavesDom0ItsScreen() throws Exception {
        IntegratedScreen screen = new IntegratedScreen();
        MonitorSink monitor = MonitorSink.open(() -> screen, Files.createDirectories(dir.resolve("shm")),
                new GrantTableDouble(), FAST);
        try (DisplayServer display = new DisplayServer(monitor, new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(), FAST)) {
            display.focus(1);
            display.start();
            await("dom0's screen shows slot 1's screen", () -> display.presented() >= 1);

            // the discrete GPU, the firmware's boot display too, goes to the VM in slot 3 (on a bridge:
            // bus 01; written without its PCI domain): polydeskd asks for the console first
            monitor.consoleLeaving("01:00.0");
            monitor.passthroughStarted(new PassthroughVm(3, dir.resolve("viewer.sock"), 12, null, "01:00.0"));
            long before = display.presented();
            int[] slotOne = pixels(screen.memory);
            display.focus(2);
            await("a frame after the focus moved", () -> display.presented() > before);
            assertEquals("dom0's screen on the integrated GPU", monitor.describe(), "dom0 kept its screen");
            assertTrue(!java.util.Arrays.equals(slotOne, pixels(screen.memory)), "and draws on it: slot 2 now");
            monitor.passthroughStopped(3);
            monitor.consoleBack("01:00.0");
            assertEquals("dom0's screen on the integrated GPU", monitor.describe(), "nothing to give back");
        }
        assertTrue(MonitorSink.samePci("00:02.0", "0000:00:02.0"));
        assertTrue(MonitorSink.samePci("0000:01:00.0", "0000:01:00.0"));
        assertTrue(!MonitorSink.samePci("0000:01:00.0", "0000:00:02.0"));
    }

    @Test
    void thePassthroughVmTakesTheMonitorAndDom0GetsItBack() throws Exception {
        List<ByteBuffer> framebuffers = new ArrayList<>();
        AtomicBoolean consoleBack = new AtomicBoolean(true);
        GrantTableDouble grants = new GrantTableDouble();
        MonitorSink monitor = MonitorSink.open(() -> {
            if (!consoleBack.get()) {
                throw new IOException("/dev/fb0: No such file or directory");
            }
            FbGeometry g = FbGeometry.xrgb8888(W, H);
            ByteBuffer memory = ByteBuffer.allocateDirect((int) g.mappedLength());
            synchronized (framebuffers) {
                framebuffers.add(memory);
            }
            return new FramebufferSink(g, memory);
        }, Files.createDirectories(dir.resolve("shm")), grants, FAST);
        DisplayServer display = new DisplayServer(monitor, new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(), FAST);
        display.focus(1); // an empty slot: the "no VM in this slot" screen, drawn by dom0, the first and only frame
        display.start();
        await("dom0's framebuffer shows slot 1's screen", () -> display.presented() >= 1);
        int[] dom0Screen = pixels(framebuffers.get(0));
        assertTrue(java.util.Arrays.stream(dom0Screen).distinct().count() > 1, "words on the screen");

        Path sock = dir.resolve("viewer.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            monitor.passthroughStarted(new PassthroughVm(3, sock, 12, null, null)); // on Xen: the VM is domain 12
            ViewerDouble viewer = new ViewerDouble(server.accept());
            ByteBuffer pages = GrantTableDouble.pages(W, H, 2);
            FrameRegion region = FrameRegion.create(pages, W, H, 2);
            viewer.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(12, grants.grant(12, pages))));
            viewer.next(ViewerMessage.Show.class);
            ViewerMessage.Frame notice = viewer.nextFrame();
            int[] shown = new int[W * H];
            region.pixels(notice.buffer()).get(0, shown);
            assertArrayEquals(dom0Screen, shown, "the viewer got the screen dom0's framebuffer had");

            display.focus(3);
            viewer.nextPastFrames(ViewerMessage.Hide.class);
            display.focus(2);
            viewer.nextPastFrames(ViewerMessage.Show.class);

            consoleBack.set(false);
            monitor.passthroughStopped(3);
            viewer.closedByDom0();
            await("the stopped VM's pages unmapped", () -> grants.open() == 0);
            Thread.sleep(1500); // at least one failed attempt to open dom0's screen again
            assertEquals(1, framebuffers.size());
            consoleBack.set(true);
            await("dom0's framebuffer opened again once it was back", () -> {
                synchronized (framebuffers) {
                    return framebuffers.size() == 2 && pixels(framebuffers.get(1))[0] != 0;
                }
            });
            int[] again = pixels(framebuffers.get(1));
            assertTrue(java.util.Arrays.stream(again).distinct().count() > 1, "slot 2's screen, words and all");
        } finally {
            display.close();
        }
    }

    /** dom0's framebuffer sink, noting when it is closed. */
    private static final class WatchedFramebuffer implements org.polydesk.display.sink.Sink {
        final ByteBuffer memory;
        final FramebufferSink sink;
        volatile boolean closed;

        WatchedFramebuffer() throws IOException {
            FbGeometry g = FbGeometry.xrgb8888(W, H);
            memory = ByteBuffer.allocateDirect((int) g.mappedLength());
            sink = new FramebufferSink(g, memory);
        }

        @Override public int width() { return W; }
        @Override public int height() { return H; }
        @Override public org.polydesk.display.compose.Frame createFrame() { return sink.createFrame(); }
        @Override public void present(org.polydesk.display.compose.Frame f, List<org.polydesk.display.framebuffer.Rect> d)
                throws IOException {
            sink.present(f, d);
        }
        @Override public String describe() { return "watched " + sink.describe(); }
        @Override public void close() {
            closed = true;
            sink.close();
        }
    }

    @Test
    void beforeTheBootGpuLeavesDom0sFramebufferIsLetGoAndOpenedAgainOnceItIsBack() throws Exception {
        List<WatchedFramebuffer> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        MonitorSink monitor = MonitorSink.open(() -> {
            WatchedFramebuffer fb = new WatchedFramebuffer();
            opened.add(fb);
            return fb;
        }, Files.createDirectories(dir.resolve("shm")), new GrantTableDouble(), FAST);
        DisplayServer display = new DisplayServer(monitor, new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(), FAST);
        display.focus(1);
        display.start();
        try {
            await("dom0's framebuffer shows slot 1's screen", () -> display.presented() >= 1);
            WatchedFramebuffer first = opened.get(0);
            int[] slot1 = pixels(first.memory);

            monitor.consoleLeaving("0000:00:01.0");
            assertTrue(first.closed, "when consoleLeaving returns, dom0's framebuffer is let go");
            display.focus(2); // another screen to draw: it must not reach the framebuffer that left
            await("slot 2's screen composed", () -> display.presented() >= 2);
            Thread.sleep(300);
            assertArrayEquals(slot1, pixels(first.memory), "nothing written to the framebuffer after it was let go");
            assertEquals(1, opened.size(), "not opened again while the GPU is away");

            monitor.consoleBack("0000:00:01.0");
            await("dom0's framebuffer opened again, showing slot 2", () -> opened.size() == 2
                    && !java.util.Arrays.equals(pixels(opened.get(1).memory), new int[W * H]));
            assertTrue(!java.util.Arrays.equals(slot1, pixels(opened.get(1).memory)), "slot 2's screen, not slot 1's");
        } finally {
            display.close();
        }
    }
}
