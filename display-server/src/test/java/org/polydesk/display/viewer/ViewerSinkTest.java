package org.polydesk.display.viewer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.Pointer;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.viewer.DamageRect;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * The viewer sink against a viewer played by the test over a real UNIX socket (as QEMU serves the
 * passthrough VM's serial port) and a real shared file: what reaches the region and the channel,
 * and how a hostile viewer is dropped while the sink lives on. The real viewer is tested in
 * switcher-viewer.
 */
class ViewerSinkTest {
    private static final int W = 64;
    private static final int H = 48;
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(100));
    /** The Xen domain of the VM behind the channel, as polydeskd reports it. */
    private static final int DOMID = 7;

    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private ViewerSink sink;
    private final GrantTableDouble grants = new GrantTableDouble();

    @AfterEach
    void tearDown() throws IOException {
        if (sink != null) {
            sink.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Path shmDir() throws IOException {
        return Files.createDirectories(dir.resolve("shm"));
    }

    private void startSink(int passthroughSlot, AtomicInteger repaints) throws IOException {
        Path sock = dir.resolve("viewer.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        sink = ViewerSink.open(W, H, passthroughSlot, sock, new RegionMapper(shmDir(), DOMID, null, grants), FAST);
        sink.onRepaintNeeded(repaints::incrementAndGet);
    }

    private ViewerDouble accept() throws IOException {
        return new ViewerDouble(server.accept());
    }

    private FrameRegion createRegion(String name, int buffers) throws IOException {
        long size = FrameRegion.bytesFor(W, H, buffers);
        try (FileChannel f = FileChannel.open(shmDir().resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return FrameRegion.create(f.map(FileChannel.MapMode.READ_WRITE, 0, size), W, H, buffers);
        }
    }

    private FrameRegion offerRegion(ViewerDouble guest, String name, int buffers) throws IOException {
        FrameRegion region = createRegion(name, buffers);
        guest.send(new ViewerMessage.Hello(W, H, new ViewerMessage.SharedFile(name, FrameRegion.bytesFor(W, H, buffers))));
        return region;
    }

    private static Frame pattern(int seed) {
        Frame f = new Frame(W, H);
        int[] px = f.pixels();
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xFF000000 | (i * 2654435 + seed * 977) & 0xFFFFFF;
        }
        return f;
    }

    private static int[] buffer(FrameRegion region, int b) {
        IntBuffer pixels = region.pixels(b);
        int[] out = new int[W * H];
        pixels.get(0, out);
        return out;
    }

    private static void await(AtomicInteger counter, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.get() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(counter.get() >= atLeast, "repaint requested " + counter.get() + " times, expected " + atLeast);
    }

    @Test
    void framesReachTheRegionAndFocusShowsOrHidesTheViewer() throws Exception {
        AtomicInteger repaints = new AtomicInteger();
        startSink(2, repaints);
        sink.focused(1);
        sink.present(pattern(0), List.of(new Rect(0, 0, W, H))); // no viewer yet: nowhere to go, no harm
        ViewerDouble guest = accept();
        FrameRegion region = offerRegion(guest, "polydesk-viewer-test", 3);
        guest.next(ViewerMessage.Show.class);
        await(repaints, 1);

        Frame first = pattern(1);
        sink.present(first, List.of(new Rect(0, 0, W, H)));
        ViewerMessage.Frame f1 = guest.nextFrame();
        assertEquals(1, f1.serial());
        assertEquals(List.of(new DamageRect(0, 0, W, H)), f1.damage());
        assertEquals(new FrameRegion.Published(1, f1.buffer(), f1.damage()), region.latest());
        assertArrayEquals(first.pixels(), buffer(region, f1.buffer()), "the region holds the composed frame");

        // each buffer is rewritten where it is stale: a small change, three frames later, still all there
        Frame current = first;
        Rect[] changes = {new Rect(1, 2, 3, 4), new Rect(10, 10, 5, 5), new Rect(60, 40, 4, 8)};
        ViewerMessage.Frame last = f1;
        for (int i = 0; i < changes.length; i++) {
            Frame next = pattern(1);
            System.arraycopy(current.pixels(), 0, next.pixels(), 0, W * H);
            Rect c = changes[i];
            for (int y = c.y(); y < c.y() + c.height(); y++) {
                for (int x = c.x(); x < c.x() + c.width(); x++) {
                    next.pixels()[y * W + x] = 0xFF00FF00 + i;
                }
            }
            region.showing(last.buffer());
            sink.present(next, List.of(c));
            last = guest.nextFrame();
            assertEquals(i + 2, last.serial());
            assertTrue(last.buffer() != f1.buffer() || i >= 2, "a fresh buffer for each of the first frames");
            assertArrayEquals(next.pixels(), buffer(region, last.buffer()), "frame " + last.serial());
            current = next;
        }
        assertEquals(f1.buffer(), last.buffer(), "three buffers: frame 4 reuses frame 1's");
        assertEquals(List.of(new DamageRect(1, 2, 3, 4), new DamageRect(10, 10, 5, 5), new DamageRect(60, 40, 4, 8)),
                last.damage(), "so it rewrites just what frames 2, 3 and 4 changed");

        sink.focused(2);
        guest.next(ViewerMessage.Hide.class);
        sink.focused(3);
        guest.next(ViewerMessage.Show.class);
    }

    /** The next CURSOR, past heartbeats and frame notices. */
    private static ViewerMessage.Cursor nextCursor(ViewerDouble guest) throws InterruptedException {
        while (true) {
            Object o = guest.received.poll(10, TimeUnit.SECONDS);
            assertTrue(o != null, "no CURSOR within 10 s");
            if (o instanceof ViewerMessage.Cursor c) {
                return c;
            }
            assertTrue(o instanceof ViewerMessage.Show || o instanceof ViewerMessage.Frame, "unexpected " + o);
        }
    }

    @Test
    void theViewersScaleIsTheSinksAndAChangeOfItHasTheFrameMadeAgain() throws Exception {
        AtomicInteger repaints = new AtomicInteger();
        startSink(2, repaints);
        assertEquals(1.0, sink.scale(), "1x until a viewer says otherwise");
        ViewerDouble guest = accept();
        createRegion("polydesk-viewer-hidpi", 2);
        guest.send(new ViewerMessage.Hello(W, H, 2, new ViewerMessage.SharedFile("polydesk-viewer-hidpi",
                FrameRegion.bytesFor(W, H, 2))));
        guest.next(ViewerMessage.Show.class);
        await(repaints, 1);
        assertEquals(2.0, sink.scale(), "the viewer's OS draws at 2x");
        assertTrue(sink.frameOutdated(), "the compositor is made again at it");
        assertFalse(sink.frameOutdated(), "once");
    }

    /** Through the display server: the border drawn into the viewer's region is twice as wide at the viewer's 2x. */
    @Test
    void theIndicatorInTheViewersFramesFollowsItsScale() throws Exception {
        AtomicInteger repaints = new AtomicInteger();
        startSink(-1, repaints);
        int[] px = new int[W * H];
        java.util.Arrays.fill(px, 0x3060C0);
        try (org.polydesk.display.testing.FakeRfbServer vm = new org.polydesk.display.testing.FakeRfbServer(dir.resolve("vm.sock"),
                org.polydesk.display.testing.FakeRfbServer.sendThenHold(org.polydesk.display.testing.ServerStream.handshake(W, H)
                        .update(1).rect(0, 0, W, H, org.polydesk.display.rfb.Encodings.RAW).pixels(px).toByteArray()));
             org.polydesk.display.server.DisplayServer ds = new org.polydesk.display.server.DisplayServer(sink,
                     new org.polydesk.display.compose.IndicatorStyle(Duration.ZERO, 3), org.polydesk.display.rfb.RfbConfig.defaults(),
                     FAST).start()) {
            ds.vmStarted(new org.polydesk.display.compose.VmLabel(1, "One", 0xC03030),
                    org.polydesk.display.rfb.RfbEndpoint.unix(vm.path()));
            ds.focus(1);
            ViewerDouble guest = accept();
            FrameRegion region = createRegion("polydesk-viewer-2x", 2);
            guest.send(new ViewerMessage.Hello(W, H, 2, new ViewerMessage.SharedFile("polydesk-viewer-2x",
                    FrameRegion.bytesFor(W, H, 2))));
            guest.next(ViewerMessage.Show.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int border = 0;
            while (System.nanoTime() < deadline) {
                FrameRegion.Published p = region.latest();
                if (p != null) {
                    int[] shown = buffer(region, p.buffer());
                    border = 0;
                    while (border < W && (shown[(H / 2) * W + border] & 0xFFFFFF) == 0xC03030) {
                        border++;
                    }
                    if (border == 6 && (shown[(H / 2) * W + W / 2] & 0xFFFFFF) == 0x3060C0) {
                        break;
                    }
                }
                Thread.sleep(20);
            }
            assertEquals(6, border, "the 3 px border drawn at the viewer's 2x");
        }
    }

    @Test
    void thePointerCrossesAsCursorWithItsShapeOnlyWhenTheShapeChanges() throws Exception {
        AtomicInteger repaints = new AtomicInteger();
        startSink(2, repaints);
        sink.focused(1);
        ViewerDouble guest = accept();
        offerRegion(guest, "polydesk-viewer-cursor", 2);
        guest.next(ViewerMessage.Show.class);
        await(repaints, 1);

        CursorShape arrow = new CursorShape(new int[] {0xFFFFFFFF, 0, 0xFF000000, 0xFFFFFFFF}, 2, 2, 1, 0);
        assertTrue(sink.showPointer(new Pointer(arrow, 10, 20)), "the viewer draws the pointer, not the compositor");
        ViewerMessage.Cursor first = nextCursor(guest);
        assertEquals(List.of(true, 10, 20, 1, 0, 2, 2), List.of(first.visible(), first.x(), first.y(), first.hotX(),
                first.hotY(), first.width(), first.height()));
        assertArrayEquals(arrow.argb(), first.argb());

        sink.showPointer(new Pointer(arrow, 10, 20)); // composed again, the pointer still: nothing to say
        sink.showPointer(new Pointer(arrow, 30, 40));
        ViewerMessage.Cursor moved = nextCursor(guest);
        assertEquals(List.of(true, 30, 40, 1, 0), List.of(moved.visible(), moved.x(), moved.y(), moved.hotX(), moved.hotY()));
        assertEquals(null, moved.argb(), "a move carries no shape");

        // a burst of moves: the viewer hears the last, never a shape again
        for (int x = 0; x <= 63; x++) {
            sink.showPointer(new Pointer(arrow, x, 5));
        }
        ViewerMessage.Cursor c;
        do {
            c = nextCursor(guest);
            assertEquals(null, c.argb());
        } while (c.x() != 63);
        assertEquals(5, c.y());

        sink.showPointer(null);
        assertEquals(false, nextCursor(guest).visible(), "no place known: the viewer hides its pointer");

        CursorShape text = new CursorShape(new int[] {0xFF000000, 0xFF000000}, 1, 2, 0, 1);
        sink.showPointer(new Pointer(text, 7, 8));
        ViewerMessage.Cursor beam = nextCursor(guest);
        assertTrue(beam.visible());
        assertArrayEquals(text.argb(), beam.argb(), "a new shape crosses once");

        CursorShape huge = new CursorShape(new int[65], 65, 1, 0, 0);
        assertEquals(false, sink.showPointer(new Pointer(huge, 7, 8)), "larger than CURSOR carries: the compositor draws it");
        assertEquals(false, nextCursor(guest).visible());

        // the viewer starts again and says HELLO: it has no shape, so the next CURSOR carries it
        guest.ch.close();
        ViewerDouble again = accept();
        offerRegion(again, "polydesk-viewer-cursor-2", 2);
        await(repaints, 2);
        sink.showPointer(new Pointer(text, 7, 8));
        ViewerMessage.Cursor told = nextCursor(again);
        assertTrue(told.visible());
        assertArrayEquals(text.argb(), told.argb());
    }

    @Test
    void aHostileViewerIsDroppedAndTheNextHelloWorks() throws Exception {
        AtomicInteger repaints = new AtomicInteger();
        startSink(-1, repaints);
        Path outside = Files.writeString(dir.resolve("secret"), "x".repeat(100_000));

        ViewerDouble g = accept();
        Files.createSymbolicLink(shmDir().resolve("link"), outside);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.SharedFile("link", 90_000)));
        g.closedByDom0();

        g = accept();
        Files.write(shmDir().resolve("small"), new byte[100]);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.SharedFile("small", FrameRegion.bytesFor(W, H, 2))));
        g.closedByDom0();

        g = accept();
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(3, grants.grant(3, GrantTableDouble.pages(W, H, 2)))));
        g.closedByDom0(); // another domain's pages

        g = accept();
        g.send(new ViewerMessage.Show());
        g.closedByDom0();

        g = accept();
        g.sendRaw("GET / HTTP/1.0\r\n\r\n".getBytes());
        g.closedByDom0();

        g = accept();
        createRegion("garbled", 2);
        // the header is checked, not trusted: spoil its stride
        try (FileChannel f = FileChannel.open(shmDir().resolve("garbled"), StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(new byte[] {1, 0, 0, 0}), 20);
        }
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.SharedFile("garbled", FrameRegion.bytesFor(W, H, 2))));
        g.closedByDom0();
        assertEquals(0, repaints.get(), "no hostile viewer got a region");

        for (int i = 0; i < 3; i++) {
            sink.present(pattern(i), List.of(new Rect(0, 0, W, H))); // the server keeps composing meanwhile
        }

        g = accept();
        FrameRegion region = offerRegion(g, "good", 2);
        g.next(ViewerMessage.Show.class);
        await(repaints, 1);
        Frame f = pattern(9);
        sink.present(f, List.of(new Rect(0, 0, W, H)));
        ViewerMessage.Frame notice = g.nextFrame();
        assertArrayEquals(f.pixels(), buffer(region, notice.buffer()));
    }

    @Test
    void pagesTheChannelsDomainGrantedCarryFramesAndAreUnmappedOnceOutOfUse() throws Exception {
        AtomicInteger repaints = new AtomicInteger();
        startSink(-1, repaints);
        ViewerDouble g = accept();
        ByteBuffer pages = GrantTableDouble.pages(W, H, 3);
        FrameRegion region = FrameRegion.create(pages, W, H, 3);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID, grants.grant(DOMID, pages))));
        g.next(ViewerMessage.Show.class);
        await(repaints, 1);
        Frame f = pattern(4);
        sink.present(f, List.of(new Rect(0, 0, W, H)));
        assertArrayEquals(f.pixels(), buffer(region, g.nextFrame().buffer()), "the frame in the guest's pages");

        // the viewer says HELLO again with new pages: the old ones are unmapped when frames go to the new
        ByteBuffer pages2 = GrantTableDouble.pages(W, H, 2);
        FrameRegion region2 = FrameRegion.create(pages2, W, H, 2);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID, grants.grant(DOMID, pages2))));
        await(repaints, 2);
        assertEquals(2, grants.open(), "the first region is still written into until the next frame");
        Frame f2 = pattern(5);
        sink.present(f2, List.of(new Rect(0, 0, W, H)));
        assertArrayEquals(f2.pixels(), buffer(region2, g.nextFrame().buffer()));
        assertEquals(1, grants.open(), "the first region unmapped");

        sink.close();
        sink = null;
        assertEquals(0, grants.open(), "closing the sink unmaps the last region");
        assertEquals(2, grants.mapped());
    }

    @Test
    void grantsOfAnotherDomainOrNotFittingTheScreenCloseTheChannelAndLeaveNothingMapped() throws Exception {
        AtomicInteger repaints = new AtomicInteger();
        startSink(-1, repaints);

        ViewerDouble g = accept(); // a HELLO naming another domain, whose pages these really are
        ByteBuffer theirs = GrantTableDouble.pages(W, H, 2);
        FrameRegion.create(theirs, W, H, 2);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID + 1, grants.grant(DOMID + 1, theirs))));
        g.closedByDom0();

        int[] fewest = grants.grant(DOMID, GrantTableDouble.pages(W, H, 2));
        g = accept(); // one page short of the smallest region this screen takes
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID,
                java.util.Arrays.copyOf(fewest, fewest.length - 1))));
        g.closedByDom0();

        g = accept(); // a page more than the largest
        int[] most = grants.grant(DOMID, GrantTableDouble.pages(W, H, FrameRegion.MAX_BUFFERS));
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID, java.util.Arrays.copyOf(most,
                most.length + 1))));
        g.closedByDom0();
        assertEquals(0, grants.mapped(), "none of these was mapped at all");

        g = accept(); // refs never granted: gntdev fails
        int[] made = new int[fewest.length];
        java.util.Arrays.setAll(made, i -> 100_000 + i);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID, made)));
        g.closedByDom0();

        g = accept(); // a header of two buffers in pages for three
        ByteBuffer three = GrantTableDouble.pages(W, H, 3);
        FrameRegion.create(three, W, H, 2);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID, grants.grant(DOMID, three))));
        g.closedByDom0();

        g = accept(); // a spoiled header
        ByteBuffer spoiled = GrantTableDouble.pages(W, H, 2);
        FrameRegion.create(spoiled, W, H, 2);
        spoiled.putInt(20, 1);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID, grants.grant(DOMID, spoiled))));
        g.closedByDom0();
        assertEquals(2, grants.mapped(), "the last two were mapped to read their headers");
        assertEquals(0, grants.open(), "and unmapped when refused");
        assertEquals(0, repaints.get(), "no refused viewer got a region");

        g = accept();
        ByteBuffer good = GrantTableDouble.pages(W, H, 2);
        FrameRegion region = FrameRegion.create(good, W, H, 2);
        g.send(new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(DOMID, grants.grant(DOMID, good))));
        g.next(ViewerMessage.Show.class);
        await(repaints, 1);
        Frame f = pattern(6);
        sink.present(f, List.of(new Rect(0, 0, W, H)));
        assertArrayEquals(f.pixels(), buffer(region, g.nextFrame().buffer()), "the sink lived on");
    }
}
