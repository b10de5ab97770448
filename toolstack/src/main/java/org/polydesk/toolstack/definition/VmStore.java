package org.polydesk.toolstack.definition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * One JSON file per VM, {@code <id>.json}, in one directory. A write goes to a temporary file in the
 * same directory, is fsynced, renamed over the old file and the directory fsynced, so a reader (or
 * the daemon after a crash) finds either the whole old definition or the whole new one.
 * A file that cannot be read is reported by name and left alone: it is never overwritten or dropped.
 */
public final class VmStore {
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/lib/polydesk/vms");
    private static final String SUFFIX = ".json";
    private static final String TEMP_PREFIX = AtomicFile.TEMP_PREFIX;

    private final Path dir;

    public VmStore(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** What a load found: the definitions that read cleanly and the files that did not. */
    public record Contents(List<VmDefinition> definitions, List<Problem> problems) {
    }

    /** A file the store could not use, and why. */
    public record Problem(Path file, String reason) {
        @Override
        public String toString() {
            return file + ": " + reason;
        }
    }

    public Contents load() throws IOException {
        Files.createDirectories(dir);
        List<VmDefinition> defs = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX)) {
                    // A write that died before its rename: the real file still holds the last whole version.
                    Files.deleteIfExists(f);
                } else if (name.endsWith(SUFFIX)) {
                    readOne(f, defs, problems);
                } else if (Files.isDirectory(f) && isUuid(name)) {
                    // A VM's own state (UEFI variables, TPM), beside its definition: see VmStateDir.
                } else {
                    problems.add(new Problem(f, "not a VM definition file (expected <uuid>.json); left alone"));
                }
            }
        }
        defs.sort(java.util.Comparator.comparing(d -> d.slot() == null ? Integer.MAX_VALUE : d.slot()));
        return new Contents(defs, problems);
    }

    private void readOne(Path f, List<VmDefinition> defs, List<Problem> problems) {
        String name = f.getFileName().toString();
        UUID expected;
        try {
            expected = UUID.fromString(name.substring(0, name.length() - SUFFIX.length()));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(f, "file name is not <uuid>.json; left alone"));
            return;
        }
        try {
            VmDefinition def = DefinitionJson.read(Files.readString(f, StandardCharsets.UTF_8));
            if (!expected.equals(def.id())) {
                problems.add(new Problem(f, "holds id " + def.id() + " but is named for " + expected + "; left alone"));
                return;
            }
            defs.add(def);
        } catch (IOException e) {
            problems.add(new Problem(f, "cannot be read: " + e.getMessage()));
        } catch (InvalidDefinitionException e) {
            problems.add(new Problem(f, "is corrupt (" + e.getMessage() + "); left alone"));
        }
    }

    public Path fileOf(UUID id) {
        return dir.resolve(id + SUFFIX);
    }

    /** Writes a definition atomically; when this returns, it survives a crash of the process or the machine. */
    public void save(VmDefinition def) throws IOException {
        AtomicFile.write(fileOf(def.id()), DefinitionJson.write(def).getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes the definition, then the VM's state directory (its UEFI variables and TPM go with it). */
    public void delete(UUID id) throws IOException {
        try {
            Files.delete(fileOf(id));
        } catch (NoSuchFileException e) {
            return;
        }
        syncDirectory();
        Path state = VmStateDir.of(dir, id).path();
        if (Files.isDirectory(state)) {
            try (java.util.stream.Stream<Path> all = Files.walk(state)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static boolean isUuid(String name) {
        try {
            return UUID.fromString(name).toString().equals(name);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Makes a rename or delete durable: the directory entry itself must reach the disk. */
    private void syncDirectory() throws IOException {
        AtomicFile.syncDirectory(dir);
    }
}
