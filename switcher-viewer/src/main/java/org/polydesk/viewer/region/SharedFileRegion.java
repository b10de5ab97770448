package org.polydesk.viewer.region;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.polydesk.protocol.viewer.FrameRegion;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * The frame region as a file in /dev/shm, for a viewer on the same host as the display server
 * (development and tests). The file is new for each viewer, readable only by its owner and
 * removed when the viewer ends.
 */
public final class SharedFileRegion implements OfferedRegion {
    private final Path file;
    private final long size;
    private final FrameRegion region;

    private SharedFileRegion(Path file, long size, FrameRegion region) {
        this.file = file;
        this.size = size;
        this.region = region;
    }

    public static SharedFileRegion create(Path dir, String name, int width, int height, int buffers) throws IOException {
        Path file = dir.resolve(name);
        long size = FrameRegion.bytesFor(width, height, buffers);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FrameRegion region = FrameRegion.create(ch.map(FileChannel.MapMode.READ_WRITE, 0, size), width, height, buffers);
            return new SharedFileRegion(file, size, region);
        }
    }

    @Override
    public FrameRegion region() {
        return region;
    }

    @Override
    public ViewerMessage.Region offer() {
        return new ViewerMessage.SharedFile(file.getFileName().toString(), size);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
