package org.polydesk.display.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.protocol.viewer.ViewerProtocolException;

/** The reasons dom0 gives for refusing a viewer's region, and what it maps when it accepts it. */
class RegionMapperTest {
    private static final int W = 1024;
    private static final int H = 768;

    @TempDir
    Path shm;
    private final GrantTableDouble grants = new GrantTableDouble();

    private static ViewerMessage.Hello hello(int domid, int[] refs) {
        return new ViewerMessage.Hello(W, H, new ViewerMessage.XenGrants(domid, refs));
    }

    private static String refusal(RegionMapper mapper, ViewerMessage.Hello hello) {
        return assertThrows(ViewerProtocolException.class, () -> mapper.map(hello)).getMessage();
    }

    @Test
    void theRegionOfA1024x768ScreenWithThreeBuffersIs2305GrantedPagesMappedInOrder() throws Exception {
        ByteBuffer pages = GrantTableDouble.pages(W, H, 3);
        FrameRegion.create(pages, W, H, 3);
        int[] refs = grants.grant(5, pages);
        assertEquals(2305, refs.length, "more than gntalloc's default limit of 1024 pages");
        MappedRegion r = new RegionMapper(shm, 5, null, grants).map(hello(5, refs));
        assertEquals(3, r.frames().buffers());
        assertEquals("1024x768 in 2305 pages granted by domain 5 (channel version 2)", r.description());
        r.close();
        r.close();
        assertEquals(0, grants.open(), "closed once, unmapped once");
    }

    @Test
    void theDomainIsTheChannelsNeverTheHellos() throws Exception {
        ByteBuffer pages = GrantTableDouble.pages(W, H, 2);
        FrameRegion.create(pages, W, H, 2);
        int[] refs = grants.grant(9, pages);
        assertEquals("the viewer offers grants of domain 9, but its channel belongs to domain 5",
                refusal(new RegionMapper(shm, 5, null, grants), hello(9, refs)));
        assertEquals("the viewer offers Xen grants, but its channel belongs to no Xen domain",
                refusal(new RegionMapper(shm, null, null, grants), hello(9, refs)));
        assertEquals(0, grants.mapped());
    }

    @Test
    void theRefCountIsBoundedByTheScreenBeforeMappingAndMatchedToTheHeaderAfter() throws Exception {
        RegionMapper mapper = new RegionMapper(shm, 5, null, grants);
        assertEquals("1536 grant refs for a 1024x768 screen, whose region takes 1537–3073 pages",
                refusal(mapper, hello(5, new int[1536])));
        assertTrue(refusal(mapper, hello(5, new int[3074])).startsWith("3074 grant refs for a 1024x768 screen"));
        assertEquals(0, grants.mapped(), "refused before anything is mapped");

        ByteBuffer pages = GrantTableDouble.pages(W, H, 3);
        FrameRegion.create(pages, W, H, 2);
        assertEquals("2305 grant refs for a region of 2 buffers of 1024x768, which takes 1537 pages",
                refusal(mapper, hello(5, grants.grant(5, pages))));
        assertEquals(0, grants.open(), "mapped to read the header, unmapped when refused");
    }

    @Test
    void aFailedMapIsAnErrorWithGntdevsReason() {
        int[] refs = new int[FrameRegion.pagesFor(W, H, 2)];
        IOException e = assertThrows(IOException.class, () -> new RegionMapper(shm, 5, null, grants).map(hello(5, refs)));
        assertEquals("cannot map the viewer's region: grant ref 0 of domain 5 is not granted", e.getMessage());
    }

    @Test
    void anIvshmemRegionIsTheFileBehindTheVmsBarAndNoOther() throws Exception {
        // QEMU's memory-backend-file: the guest sees it as BAR 2 and lays out the region there.
        Path vmDir = Files.createDirectories(shm.resolve("vm"));
        Path bar = vmDir.resolve("viewer-region");
        long barSize = 16L << 20;
        try (RandomAccessFile f = new RandomAccessFile(bar.toFile(), "rw")) {
            f.setLength(barSize);
        }
        long offered = FrameRegion.bytesFor(W, H, 2);
        FrameRegion guest;
        try (FileChannel ch = FileChannel.open(bar, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            guest = FrameRegion.create(ch.map(FileChannel.MapMode.READ_WRITE, 0, offered), W, H, 2);
        }
        ViewerMessage.Hello hello = new ViewerMessage.Hello(W, H, new ViewerMessage.Ivshmem(offered));

        MappedRegion r = new RegionMapper(shm, null, bar, grants).map(hello);
        assertEquals(2, r.frames().buffers());
        assertEquals("1024x768 in the VM's ivshmem BAR (channel version 2)", r.description());
        r.frames().pixels(1).put(W * H - 1, 0x00C0FFEE);
        assertEquals(0x00C0FFEE, guest.pixels(1).get(W * H - 1), "dom0 writes where the guest reads");
        r.close();

        assertEquals("the viewer offers an ivshmem region, but its VM has no ivshmem device",
                refusal(new RegionMapper(shm, 5, null, grants), hello));
        assertEquals("shared file " + bar + " is " + barSize + " bytes, not the " + (barSize + 1) + " offered",
                refusal(new RegionMapper(shm, null, bar, grants), new ViewerMessage.Hello(W, H,
                        new ViewerMessage.Ivshmem(barSize + 1))));
        assertTrue(refusal(new RegionMapper(shm, null, bar, grants), new ViewerMessage.Hello(W, H,
                new ViewerMessage.Ivshmem(1L << 40))).contains("more than"));
        Path link = vmDir.resolve("link");
        Files.createSymbolicLink(link, bar);
        assertEquals("shared file " + link + " is not a regular file",
                refusal(new RegionMapper(shm, null, link, grants), hello), "never through a link");
    }
}
