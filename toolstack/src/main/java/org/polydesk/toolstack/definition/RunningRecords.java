package org.polydesk.toolstack.definition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * What each running VM runs as, kept for the next daemon: the definition it was started with (an
 * edit since waits for its next start) and the media put in or taken out of its CD drives while it
 * runs. A VM outlives a restart of polydeskd, and without this the next one took the stored
 * definition for both: the status named the wrong disc and a Xen guest's next reboot lost its disc.
 * One file per VM, {@code <id>.json}, written atomically on start and on each CD change, deleted
 * when the VM ends; the next daemon deletes those of VMs that no longer run.
 */
public final class RunningRecords {
    private static final Logger LOG = Logger.getLogger(RunningRecords.class.getName());

    private final Path dir;

    /** What a running VM runs as. {@code cdChanges}: by disk index, the medium now (null: empty). */
    public record Running(VmDefinition definition, Map<Integer, String> cdChanges) {
        public Running {
            cdChanges = java.util.Collections.unmodifiableMap(new HashMap<>(cdChanges));
        }

        /** The definition with its CD drives as they are now. */
        public VmDefinition withLiveMedia() {
            VmDefinition now = definition;
            for (Map.Entry<Integer, String> c : cdChanges.entrySet()) {
                now = now.withCdMedium(c.getKey(), c.getValue());
            }
            return now;
        }
    }

    /** The file's form: an ejected drive is "" (a JSON null in a map is easily lost on the way). */
    private record Stored(VmDefinition definition, Map<Integer, String> cdChanges) {
    }

    public RunningRecords(Path dir) {
        this.dir = dir;
    }

    private Path fileOf(UUID id) {
        return dir.resolve(id + ".json");
    }

    public void write(UUID id, Running running) throws IOException {
        Map<Integer, String> changes = new HashMap<>();
        running.cdChanges().forEach((disk, medium) -> changes.put(disk, medium == null ? "" : medium));
        AtomicFile.write(fileOf(id), Json.mapper().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new Stored(running.definition(), changes)));
    }

    /**
     * The record of the VM, or null when there is none. One that cannot be read (damaged, or of
     * another VM) is logged and deleted: the VM is then taken as running its stored definition.
     */
    public Running read(UUID id) {
        Path file = fileOf(id);
        try {
            Stored s = Json.mapper().readValue(Files.readString(file, StandardCharsets.UTF_8), Stored.class);
            if (s.definition() == null || !id.equals(s.definition().id())) {
                throw new IOException("it is not a record of VM " + id);
            }
            Map<Integer, String> changes = new HashMap<>();
            if (s.cdChanges() != null) {
                for (Map.Entry<Integer, String> c : s.cdChanges().entrySet()) {
                    int disk = c.getKey();
                    if (disk < 0 || disk >= s.definition().disks().size() || !s.definition().disks().get(disk).cdrom()) {
                        throw new IOException("its disk " + disk + " is not a CD drive");
                    }
                    changes.put(disk, c.getValue() == null || c.getValue().isEmpty() ? null : c.getValue());
                }
            }
            return new Running(s.definition(), changes);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.warning("the running record " + file + " cannot be read (" + e.getMessage() + "): deleted");
        }
        remove(id);
        return null;
    }

    public void remove(UUID id) {
        try {
            Files.deleteIfExists(fileOf(id));
        } catch (IOException e) {
            LOG.warning("cannot delete " + fileOf(id) + ": " + e.getMessage());
        }
    }

    /** Deletes the records of the VMs not in {@code running} (they ended while no daemon ran). */
    public void keepOnly(java.util.Set<UUID> running) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith(AtomicFile.TEMP_PREFIX)) {
                    Files.deleteIfExists(f);
                } else if (name.endsWith(".json")) {
                    UUID id = idOf(name);
                    if (id == null || !running.contains(id)) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // none yet
        } catch (IOException e) {
            LOG.warning("cannot tidy " + dir + ": " + e.getMessage());
        }
    }

    private static UUID idOf(String fileName) {
        try {
            return UUID.fromString(fileName.substring(0, fileName.length() - ".json".length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
