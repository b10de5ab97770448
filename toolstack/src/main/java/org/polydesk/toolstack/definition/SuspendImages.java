package org.polydesk.toolstack.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * The saved states of suspended VMs, one pair per VM in one directory: {@code <id>.img} (what the
 * backend wrote) and {@code <id>.json} (which VM and which hardware it was saved from, the image's
 * size and SHA-256). The metadata is written last and atomically, so a VM is suspended exactly when
 * its {@code <id>.json} exists. Before a resume both are checked; an image that is damaged, missing
 * or from other hardware settings is refused with the reason and kept: only a resume that worked
 * removes it.
 */
public final class SuspendImages {
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path dir;

    /** Which VM an image is of, and what it must still match. */
    public record Metadata(UUID vm, String name, String hardware, long bytes, String sha256, String backend,
                           String savedAt) {
    }

    /** Why a saved image cannot be resumed. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    public SuspendImages(Path dir) {
        this.dir = dir;
    }

    public Path imageOf(UUID id) {
        return dir.resolve(id + ".img");
    }

    public Path metadataOf(UUID id) {
        return dir.resolve(id + ".json");
    }

    public boolean suspended(UUID id) {
        return Files.exists(metadataOf(id));
    }

    /** Where the backend writes a new image; it becomes the VM's saved state only by {@link #commit}. */
    public Path temporaryImage(UUID id) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(TEMP_PREFIX + id + ".img");
        Files.deleteIfExists(tmp);
        return tmp;
    }

    /** Makes the written temporary image the VM's saved state; when this returns it survives a power cut. */
    public Metadata commit(VmDefinition def, String backend) throws IOException {
        Path tmp = dir.resolve(TEMP_PREFIX + def.id() + ".img");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Metadata meta = new Metadata(def.id(), def.name(), hardwareHash(def), Files.size(tmp), sha256(tmp), backend,
                Instant.now().toString());
        Files.move(tmp, imageOf(def.id()), StandardCopyOption.ATOMIC_MOVE);
        Path metaTmp = dir.resolve(TEMP_PREFIX + def.id() + ".json");
        try (FileChannel ch = FileChannel.open(metaTmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(meta)
                    .getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(metaTmp, metadataOf(def.id()), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory();
        return meta;
    }

    /** The image to resume {@code def} from, once it is whole and was saved from these hardware settings. */
    public Path check(VmDefinition def, String backend) throws Refused {
        Path meta = metadataOf(def.id());
        Path image = imageOf(def.id());
        String keep = " It is kept; to start '" + def.name() + "' afresh instead, move " + meta + " and " + image + " away.";
        Metadata m;
        try {
            m = Json.mapper().readValue(Files.readString(meta), Metadata.class);
        } catch (NoSuchFileException e) {
            throw new Refused("'" + def.name() + "' has no saved state (" + meta + " is gone)");
        } catch (JsonProcessingException e) {
            throw new Refused("the saved state's description " + meta + " is damaged (" + e.getOriginalMessage() + ")." + keep);
        } catch (IOException e) {
            throw new Refused("cannot read " + meta + ": " + e.getMessage() + "." + keep);
        }
        if (!def.id().equals(m.vm())) {
            throw new Refused("the saved state " + image + " belongs to VM " + m.vm() + ", not to '" + def.name() + "'." + keep);
        }
        if (m.backend() != null && !m.backend().equals(backend)) {
            throw new Refused("the saved state " + image + " was made by the " + m.backend() + " backend; this host runs "
                    + backend + "." + keep);
        }
        if (!hardwareHash(def).equals(m.hardware())) {
            throw new Refused("the saved state " + image + " was made with other hardware settings (memory, CPUs, disks,"
                    + " devices, boot files) than '" + def.name() + "' has now; undo the change to resume it." + keep);
        }
        try {
            long size = Files.size(image);
            if (size != m.bytes()) {
                throw new Refused("the saved state " + image + " is damaged: " + size + " bytes, " + m.bytes()
                        + " were saved." + keep);
            }
            if (!sha256(image).equals(m.sha256())) {
                throw new Refused("the saved state " + image + " is damaged: its SHA-256 is not the one saved." + keep);
            }
        } catch (NoSuchFileException e) {
            throw new Refused("the saved state " + image + " is missing." + keep);
        } catch (IOException e) {
            throw new Refused("cannot read the saved state " + image + ": " + e.getMessage() + "." + keep);
        }
        return image;
    }

    /** Removes a saved state that was resumed from. */
    /**
     * Moves a saved state that must never be resumed (the VM ran on after it was written) out of
     * the way, kept beside as {@code .superseded} for whoever wants it, never deleted. False when there was none.
     */
    public boolean setAside(UUID id) throws IOException {
        if (!Files.exists(metadataOf(id))) {
            Files.deleteIfExists(temporaryImage(id));
            return false;
        }
        // The metadata first: without it the image is no longer a saved state, whatever happens next.
        Files.move(metadataOf(id), metadataOf(id).resolveSibling(metadataOf(id).getFileName() + ".superseded"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        if (Files.exists(imageOf(id))) {
            Files.move(imageOf(id), imageOf(id).resolveSibling(imageOf(id).getFileName() + ".superseded"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        syncDirectory();
        return true;
    }

    public void remove(UUID id) throws IOException {
        Files.deleteIfExists(metadataOf(id));
        Files.deleteIfExists(imageOf(id));
        syncDirectory();
    }

    /**
     * What a saved state must match: the definition without the fields that do not reach the
     * hypervisor (name, slot, colour, autostart, what to do on a crash). A field added to definitions
     * later counts as hardware until it is listed here.
     */
    public static String hardwareHash(VmDefinition def) {
        VmDefinition hardware = def.toBuilder().name("").slot(0).colour("").autostart(false).onCrash(null).build();
        try {
            return sha256(DefinitionJson.write(hardware).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot describe the definition of " + def.id(), e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
