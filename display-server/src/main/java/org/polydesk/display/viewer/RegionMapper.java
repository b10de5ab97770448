package org.polydesk.display.viewer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.polydesk.display.gnttab.GrantMapper;
import org.polydesk.display.gnttab.GrantMapping;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerChannel;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.protocol.viewer.ViewerProtocolException;

/**
 * Maps the frame region a viewer offered in its HELLO. A shared file is looked up only by its
 * checked name in the one directory we allow (/dev/shm), never through a link; an ivshmem region
 * only in the file polydeskd gave the VM's QEMU for its BAR (the guest cannot name it). Xen grants are
 * taken only from the domain that owns the channel, as dom0 knows it (the HELLO's domid must
 * name it, never decides it), and only as many pages as the screen's region needs: first the
 * range that two to four buffers need, then, once the header is checked, exactly its count.
 */
public final class RegionMapper {
    /** Four 4K frames and the header: no honest viewer offers more. */
    private static final long MAX_BYTES = FrameRegion.bytesFor(3840, 2160, FrameRegion.MAX_BUFFERS);

    private final Path shmDir;
    private final Integer channelDomid;
    private final Path ivshmemFile;
    private final GrantMapper grants;

    /**
     * Shared files from {@code shmDir}; grants only from domain {@code channelDomid} (null: the
     * channel's VM is not a Xen domain, no grants), mapped by {@code grants}; an ivshmem region
     * only in {@code ivshmemFile}, the file behind the VM's BAR as polydeskd names it (null: none).
     */
    public RegionMapper(Path shmDir, Integer channelDomid, Path ivshmemFile, GrantMapper grants) {
        this.shmDir = shmDir.toAbsolutePath().normalize();
        this.channelDomid = channelDomid;
        this.ivshmemFile = ivshmemFile;
        this.grants = grants;
    }

    MappedRegion map(ViewerMessage.Hello hello) throws IOException {
        if (hello.region() instanceof ViewerMessage.XenGrants g) {
            return mapGrants(hello, g);
        }
        if (hello.region() instanceof ViewerMessage.Ivshmem i) {
            if (ivshmemFile == null) {
                throw new ViewerProtocolException("the viewer offers an ivshmem region, but its VM has no ivshmem device");
            }
            return mapFile(ivshmemFile, i.size(), hello);
        }
        ViewerMessage.SharedFile file = (ViewerMessage.SharedFile) hello.region();
        Path path = shmDir.resolve(file.name());
        if (!path.getParent().equals(shmDir)) {
            throw new ViewerProtocolException("shared file '" + file.name() + "' is not in " + shmDir);
        }
        return mapFile(path, file.size(), hello);
    }

    private static MappedRegion mapFile(Path path, long size, ViewerMessage.Hello hello) throws IOException {
        if (size > MAX_BYTES) {
            throw new ViewerProtocolException("shared region of " + size + " bytes, more than " + MAX_BYTES);
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ViewerProtocolException("shared file " + path + " cannot be read: " + e.getMessage());
        }
        if (!attrs.isRegularFile() || attrs.size() < size) {
            throw new ViewerProtocolException("shared file " + path + " is " + (attrs.isRegularFile()
                    ? attrs.size() + " bytes, not the " + size + " offered" : "not a regular file"));
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            MappedByteBuffer memory = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            // unmapped by the garbage collector; a file the guest shrinks later is the sink's SIGBUS to survive
            return new MappedRegion(FrameRegion.attach(memory, hello.width(), hello.height()), describe(hello), () -> { });
        }
    }

    private MappedRegion mapGrants(ViewerMessage.Hello hello, ViewerMessage.XenGrants g) throws IOException {
        if (channelDomid == null) {
            throw new ViewerProtocolException("the viewer offers Xen grants, but its channel belongs to no Xen domain");
        }
        if (g.domid() != channelDomid) {
            throw new ViewerProtocolException("the viewer offers grants of domain " + g.domid()
                    + ", but its channel belongs to domain " + channelDomid);
        }
        int fewest = FrameRegion.pagesFor(hello.width(), hello.height(), FrameRegion.MIN_BUFFERS);
        int most = FrameRegion.pagesFor(hello.width(), hello.height(), FrameRegion.MAX_BUFFERS);
        int offered = g.refs().length;
        if (offered < fewest || offered > most) {
            throw new ViewerProtocolException(offered + " grant refs for a " + hello.width() + "x" + hello.height()
                    + " screen, whose region takes " + fewest + "–" + most + " pages");
        }
        GrantMapping mapping;
        try {
            mapping = grants.map(channelDomid, g.refs());
        } catch (IOException e) {
            throw new IOException("cannot map the viewer's region: " + e.getMessage(), e);
        }
        try {
            FrameRegion region = FrameRegion.attach(mapping.memory(), hello.width(), hello.height());
            int needed = FrameRegion.pagesFor(hello.width(), hello.height(), region.buffers());
            if (offered != needed) {
                throw new ViewerProtocolException(offered + " grant refs for a region of " + region.buffers()
                        + " buffers of " + hello.width() + "x" + hello.height() + ", which takes " + needed + " pages");
            }
            return new MappedRegion(region, describe(hello), mapping::close);
        } catch (ViewerProtocolException | RuntimeException e) {
            mapping.close();
            throw e;
        }
    }

    static String describe(ViewerMessage.Hello hello) {
        String where;
        if (hello.region() instanceof ViewerMessage.SharedFile f) {
            where = "shared file " + f.name();
        } else if (hello.region() instanceof ViewerMessage.XenGrants g) {
            where = g.refs().length + " pages granted by domain " + g.domid();
        } else {
            where = "the VM's ivshmem BAR";
        }
        return hello.width() + "x" + hello.height() + " in " + where + " (channel version " + ViewerChannel.VERSION + ")";
    }
}
