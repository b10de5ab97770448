package org.polydesk.display.viewer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerChannel;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.protocol.viewer.ViewerProtocolException;

/**
 * Maps the frame region a viewer offered in its HELLO. A shared file is looked up only by its
 * checked name in the one directory we allow (/dev/shm), never through a link; Xen grants need
 * gntdev, which this build does not map yet, and are refused with that reason.
 */
final class SharedRegion {
    /** Three 4K frames and the header: no honest viewer offers more. */
    private static final long MAX_BYTES = FrameRegion.bytesFor(3840, 2160, FrameRegion.MAX_BUFFERS);

    private SharedRegion() {
    }

    static FrameRegion map(ViewerMessage.Hello hello, Path shmDir) throws IOException {
        if (hello.region() instanceof ViewerMessage.XenGrants g) {
            throw new ViewerProtocolException("the viewer offers " + g.refs().length + " Xen grant refs of domain "
                    + g.domid() + "; mapping grants (gntdev) is not in this build, only shared files");
        }
        ViewerMessage.SharedFile file = (ViewerMessage.SharedFile) hello.region();
        if (file.size() > MAX_BYTES) {
            throw new ViewerProtocolException("shared region of " + file.size() + " bytes, more than " + MAX_BYTES);
        }
        Path path = shmDir.resolve(file.name());
        if (!path.getParent().equals(shmDir)) {
            throw new ViewerProtocolException("shared file '" + file.name() + "' is not in " + shmDir);
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ViewerProtocolException("shared file " + path + " cannot be read: " + e.getMessage());
        }
        if (!attrs.isRegularFile() || attrs.size() < file.size()) {
            throw new ViewerProtocolException("shared file " + path + " is " + (attrs.isRegularFile()
                    ? attrs.size() + " bytes, not the " + file.size() + " offered" : "not a regular file"));
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            MappedByteBuffer memory = ch.map(FileChannel.MapMode.READ_WRITE, 0, file.size());
            return FrameRegion.attach(memory, hello.width(), hello.height());
        }
    }

    static String describe(ViewerMessage.Hello hello) {
        String where = hello.region() instanceof ViewerMessage.SharedFile f ? "shared file " + f.name() : "Xen grants";
        return hello.width() + "x" + hello.height() + " in " + where + " (channel version " + ViewerChannel.VERSION + ")";
    }
}
