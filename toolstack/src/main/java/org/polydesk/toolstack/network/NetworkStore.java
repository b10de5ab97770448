package org.polydesk.toolstack.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.polydesk.protocol.network.Network;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.toolstack.definition.AtomicFile;

/**
 * One JSON file per network, {@code <name>.json}, written atomically ({@link AtomicFile}). A file
 * that cannot be read is reported and left alone, never overwritten or dropped.
 */
public final class NetworkStore {
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/lib/polydesk/networks");
    private static final String SUFFIX = ".json";

    private final Path dir;

    public NetworkStore(Path dir) {
        this.dir = dir;
    }

    /** What a load found: the networks that read cleanly, and a line for each file that did not. */
    public record Contents(List<Network> networks, List<String> problems) {
    }

    public Contents load() throws IOException {
        Files.createDirectories(dir);
        List<Network> networks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String file = f.getFileName().toString();
                if (file.startsWith(AtomicFile.TEMP_PREFIX)) {
                    Files.deleteIfExists(f); // a write that died before its rename
                } else if (file.startsWith(".")) {
                    continue; // polydeskd's own markers (Networks: the default network was made)
                } else if (!file.endsWith(SUFFIX)) {
                    problems.add(f + ": not a network file (expected <name>.json); left alone");
                } else {
                    try {
                        Network n = Json.mapper().readValue(Files.readString(f), Network.class);
                        if (n == null || !file.equals(n.name() + SUFFIX)) {
                            problems.add(f + ": its name is not the file's; left alone");
                        } else {
                            networks.add(n);
                        }
                    } catch (IOException | RuntimeException e) {
                        problems.add(f + ": is corrupt (" + e.getMessage() + "); left alone");
                    }
                }
            }
        }
        networks.sort(Comparator.comparing(Network::name));
        return new Contents(networks, problems);
    }

    public void save(Network network) throws IOException {
        AtomicFile.write(fileOf(network.name()),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(network).getBytes(StandardCharsets.UTF_8));
    }

    public void delete(String name) throws IOException {
        try {
            Files.delete(fileOf(name));
        } catch (NoSuchFileException e) {
            return;
        }
        AtomicFile.syncDirectory(dir);
    }

    public Path fileOf(String name) {
        return dir.resolve(name + SUFFIX);
    }
}
