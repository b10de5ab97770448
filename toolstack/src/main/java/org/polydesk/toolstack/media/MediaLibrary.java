package org.polydesk.toolstack.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi;

/**
 * polydeskd's media library: one directory of installer images (ISO files) that VMs' CD drives are
 * given. A medium's name is its file name; a copy under way is the hidden {@code .NAME.part} and
 * becomes {@code NAME} only when whole and checked, by a hard link that never replaces a medium. The
 * SHA-256 of a medium is kept beside it in the hidden {@code .NAME.sha256}.
 */
public final class MediaLibrary {
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/lib/polydesk/media");
    /** A library file name: no path, no hidden file, nothing a shell or a VM definition would trip on. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path directory;
    /** Names an import is writing now. */
    private final Set<String> importing = ConcurrentHashMap.newKeySet();

    public MediaLibrary(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    /** Every medium, by name, and every download that broke off (not one under way). */
    public List<Medium> list() throws RpcException {
        List<Medium> out = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return out;
        }
        try (Stream<Path> s = Files.list(directory)) {
            for (Path f : s.sorted(java.util.Comparator.comparing(p -> p.getFileName().toString().replaceFirst("^\\.", "")))
                    .toList()) {
                String name = f.getFileName().toString();
                Matcher unfinished = UNFINISHED.matcher(name);
                if (unfinished.matches() && !importing.contains(unfinished.group(1))
                        && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    String url = unfinishedUrl(unfinished.group(1));
                    if (url != null) {
                        out.add(new Medium(unfinished.group(1), null, Files.size(f), null, null, url));
                    }
                    continue;
                }
                if (name.startsWith(".") || !Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                out.add(new Medium(name, f.toString(), Files.size(f), storedSha256(name), IsoLabel.read(f)));
            }
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot list the media library " + directory + ": " + e.getMessage());
        }
        return out;
    }

    /** Where the medium {@code name} is (or would be); refused when it is no library name. */
    public Path file(String name) throws RpcException {
        checkName(name, ToolstackApi.MediaRef.NAME);
        return directory.resolve(name);
    }

    /** Deletes a medium (and its checksum); never one an import is writing. */
    public void delete(String name) throws RpcException {
        checkName(name, ToolstackApi.MediaRef.NAME);
        if (importing.contains(name)) {
            throw new RpcException(ErrorCode.WRONG_STATE, name + " is being imported; wait until the import has ended");
        }
        Path f = directory.resolve(name);
        try {
            if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.exists(part(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // A download that broke off: it and its URL go.
                Files.delete(part(name));
                Files.deleteIfExists(partUrl(name));
                return;
            }
            Files.delete(f);
            Files.deleteIfExists(sidecar(name));
        } catch (NoSuchFileException e) {
            throw new RpcException(ErrorCode.NOT_FOUND, "no medium " + name + " in " + directory);
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot delete " + f + ": " + e.getMessage());
        }
    }

    /**
     * A name free for a new medium, held until {@link #release}: refused when it is no library name,
     * when a medium has it, or when another import is writing it.
     */
    void reserve(String name, String field) throws RpcException {
        checkName(name, field);
        if (Files.exists(directory.resolve(name))) {
            throw new RpcException(ErrorCode.STORE_FAILED, "the media library has a medium " + name
                    + " already; delete it first or import under another name");
        }
        if (!importing.add(name)) {
            throw new RpcException(ErrorCode.WRONG_STATE, "an import of " + name + " is running already");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            importing.remove(name);
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot create the media library " + directory + ": " + e.getMessage());
        }
    }

    void release(String name) {
        importing.remove(name);
    }

    private static final Pattern UNFINISHED = Pattern.compile("\\.(.+)\\.part");

    /** The URL a broken-off download of {@code name} came from, or null (a stick's copy is never continued). */
    private String unfinishedUrl(String name) {
        try {
            String url = Files.readString(partUrl(name)).strip();
            return url.isEmpty() ? null : url;
        } catch (IOException e) {
            return null;
        }
    }

    /** Beside {@link #part}: the URL its bytes came from, so that an import of the same URL continues it. */
    Path partUrl(String name) {
        return directory.resolve("." + name + ".part.url");
    }

    /** Where the copy of {@code name} grows until it is whole. */
    Path part(String name) {
        return directory.resolve("." + name + ".part");
    }

    /**
     * Makes the whole, checked {@code part} the medium {@code name} (and remembers its checksum):
     * synced to disk first, and linked, so that an existing medium is never replaced.
     */
    Path publish(String name, Path part, String sha256) throws IOException {
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Path medium = directory.resolve(name);
        try {
            Files.createLink(medium, part);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a medium " + name + " appeared in " + directory + " meanwhile; it was kept and the copy deleted");
        } finally {
            Files.deleteIfExists(part);
        }
        writeAtomically(sidecar(name), sha256 + "\n");
        return medium;
    }

    /** Writes a small file whole or not at all: a temporary file, synced, renamed over. */
    void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Free bytes for new media, refusing a copy of {@code needed} more bytes that would not fit. */
    void checkSpace(long needed, String what) throws RpcException {
        long free;
        try {
            free = Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot see the free space of " + directory + ": " + e.getMessage());
        }
        if (needed > free) {
            throw new RpcException(ErrorCode.STORE_FAILED, "not enough space for " + what + " in " + directory + ": it needs "
                    + size(needed) + ", " + size(free) + " are free");
        }
    }

    private Path sidecar(String name) {
        return directory.resolve("." + name + ".sha256");
    }

    private String storedSha256(String name) {
        try {
            String s = Files.readString(sidecar(name)).strip();
            return SHA256.matcher(s).matches() ? s : null;
        } catch (IOException e) {
            return null;
        }
    }

    static void checkName(String name, String field) throws RpcException {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw RpcException.invalidParam(field, "a medium's name is 1–128 letters, digits, '.', '_', '+' or '-',"
                    + " starting with a letter or digit and without '..', not '" + name + "'");
        }
    }

    /**
     * A library name made from a source's file name (the last part of a URL's path, a file on a
     * stick): other characters become '_', leading dots and dashes go; null when nothing is left.
     */
    static String nameFrom(String sourceName) {
        if (sourceName == null) {
            return null;
        }
        String s = sourceName.replaceAll("[^A-Za-z0-9._+-]", "_").replaceAll("\\.{2,}", ".").replaceFirst("^[^A-Za-z0-9]+", "");
        if (s.length() > 128) {
            s = s.substring(s.length() - 128).replaceFirst("^[^A-Za-z0-9]+", "");
        }
        return s.isEmpty() ? null : s;
    }

    /** The checksum the user gave, as 64 lower-case hex digits (or null when none was given). */
    static String checkSha256(String given) throws RpcException {
        if (given == null || given.isBlank()) {
            return null;
        }
        String s = given.strip().toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(s).matches()) {
            throw RpcException.invalidParam(ToolstackApi.MediaImport.SHA256, "sha256 must be 64 hexadecimal digits, not '"
                    + given + "'");
        }
        return s;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Feeds the first {@code length} bytes of {@code file} to {@code digest} (a resumed download's earlier part). */
    static void digest(Path file, long length, MessageDigest digest) throws IOException {
        if (length == 0) {
            return;
        }
        byte[] buf = new byte[1 << 16];
        long left = length;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException(file + " is shorter than " + length + " bytes");
                }
                digest.update(buf, 0, n);
                left -= n;
            }
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** A size for people: "4.70 GB (4700000000 bytes)". */
    static String size(long bytes) {
        if (bytes < 1_000_000) {
            return bytes + " bytes";
        }
        double gb = bytes / 1e9;
        return (gb >= 1 ? String.format(Locale.ROOT, "%.2f GB", gb) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6))
                + " (" + bytes + " bytes)";
    }
}
