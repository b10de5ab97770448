package org.polydesk.toolstack.definition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a file so that a reader, or the daemon after a crash of itself or the machine, finds the
 * whole old content or the whole new one: a temporary file in the same directory (named with
 * {@link #TEMP_PREFIX}, which a store's load deletes), fsynced, renamed over the file, and the
 * directory fsynced.
 */
public final class AtomicFile {
    public static final String TEMP_PREFIX = ".tmp-";

    private AtomicFile() {
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, bytes, false);
    }

    /** The same, readable and writable by its owner only from its first byte on (a secret). */
    public static void writePrivate(Path file, byte[] bytes) throws IOException {
        write(file, bytes, true);
    }

    private static void write(Path file, byte[] bytes, boolean ownerOnly) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(TEMP_PREFIX + file.getFileName() + "-" + UUID.randomUUID());
        java.nio.file.attribute.FileAttribute<?>[] attrs = ownerOnly ? new java.nio.file.attribute.FileAttribute<?>[] {
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))} : new java.nio.file.attribute.FileAttribute<?>[0];
        try {
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    attrs)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
    }

    /** Makes a rename or delete in {@code dir} durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
