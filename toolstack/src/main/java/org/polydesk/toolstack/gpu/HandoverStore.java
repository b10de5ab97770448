package org.polydesk.toolstack.gpu;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.Json;

/**
 * One JSON file per VM whose GPU is away from dom0, written atomically. It lives under the run
 * directory (a tmpfs) on purpose: a host reboot gives every device back to its driver, and the
 * records go with it.
 */
public final class HandoverStore {
    private static final Logger LOG = Logger.getLogger(HandoverStore.class.getName());
    private final Path dir;

    public HandoverStore(Path dir) {
        this.dir = dir;
    }

    public Path fileOf(UUID vm) {
        return dir.resolve(vm + ".json");
    }

    public void save(Handover h) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + h.vm() + "-" + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(Json.mapper().writeValueAsBytes(h));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, fileOf(h.vm()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public void delete(UUID vm) throws IOException {
        try {
            Files.delete(fileOf(vm));
        } catch (NoSuchFileException e) {
            // already given back
        }
    }

    /** Every record; an unreadable one is logged and left in place for a person to look at. */
    public List<Handover> all() throws IOException {
        List<Handover> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                try {
                    out.add(Json.mapper().readValue(f.toFile(), Handover.class));
                } catch (JsonProcessingException e) {
                    LOG.severe("cannot read GPU hand-over record " + f + ": " + e.getOriginalMessage());
                }
            }
        }
        return out;
    }
}
