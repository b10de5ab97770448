package org.polydesk.toolstack.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The checks of a file given to host.update, before anything is written. First the file itself: an
 * ISO 9660 image (its primary volume descriptor at 32 KiB) and whole (as long as the volume it
 * declares: a download cut short is caught here). Then, on the mounted image, that it is a Polydesk
 * ISO (the live system's files, and a system that names its release, which iso/build.sh writes), and
 * that the system it holds is the one live-build summed in sha256sum.txt.
 */
public final class UpdateImage {
    /** Where the image's binary hook copies the system's release on the medium. */
    public static final String RELEASE_FILE = ".disk/polydesk-release";
    static final String SQUASHFS = "live/filesystem.squashfs";
    static final long PVD_OFFSET = 16 * 2048;

    private UpdateImage() {
    }

    /** The size of the volume an ISO 9660 image declares, checked against what {@code file} holds. */
    public static long checkFile(Path file) throws InstallException {
        if (!Files.exists(file)) {
            throw new InstallException(file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new InstallException(file + " is a directory, not a Polydesk ISO");
        }
        long length = length(file);
        byte[] pvd = new byte[2048];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(pvd);
            while (buf.hasRemaining() && ch.read(buf, PVD_OFFSET + buf.position()) > 0) {
                // read the whole descriptor
            }
            if (buf.hasRemaining()) {
                throw new InstallException(file + " is not a Polydesk ISO: it holds " + length
                        + " bytes, too few for an ISO 9660 image");
            }
        } catch (IOException e) {
            throw new InstallException("cannot read " + file + ": " + e.getMessage(), e);
        }
        long volume = volumeBytes(pvd).orElseThrow(() -> new InstallException(file
                + " is not a Polydesk ISO: it is not an ISO 9660 image (no volume descriptor at 32 KiB)"));
        if (length < volume) {
            throw new InstallException(String.format("%s is truncated: it holds %d of the %d bytes its volume"
                    + " declares (%.0f%%); download or copy it again", file, length, volume, length * 100.0 / volume));
        }
        return volume;
    }

    /** The volume's size from a primary volume descriptor (type 1, "CD001"), empty if it is not one. */
    static Optional<Long> volumeBytes(byte[] pvd) {
        if (pvd.length < 2048 || pvd[0] != 1 || !new String(pvd, 1, 5, StandardCharsets.US_ASCII).equals("CD001")) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(pvd).order(ByteOrder.LITTLE_ENDIAN);
        long blocks = Integer.toUnsignedLong(b.getInt(80));
        int blockSize = Short.toUnsignedInt(b.getShort(128));
        if (blocks == 0 || blockSize < 512 || Integer.bitCount(blockSize) != 1) {
            return Optional.empty();
        }
        return Optional.of(blocks * blockSize);
    }

    /** A file's length, or a block device's (a USB stick or CD the ISO was written to) from sysfs. */
    static long length(Path file) throws InstallException {
        try {
            if (Files.isRegularFile(file)) {
                return Files.size(file);
            }
            Path real = file.toRealPath();
            Path size = Path.of("/sys/class/block").resolve(real.getFileName().toString()).resolve("size");
            if (Files.isReadable(size)) {
                return Long.parseLong(Files.readString(size).strip()) * 512;
            }
        } catch (IOException | NumberFormatException e) {
            throw new InstallException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
        throw new InstallException(file + " is neither a file nor a block device");
    }

    /** The files of a Polydesk ISO mounted at {@code dir}: the live system's, and live-build's sums. */
    public static void checkMedium(Path dir, Path file) throws InstallException {
        for (String need : new String[] {SQUASHFS, "live/vmlinuz", "live/initrd.img", "live/xen.gz", "sha256sum.txt"}) {
            if (!Files.exists(dir.resolve(need), LinkOption.NOFOLLOW_LINKS)) {
                throw new InstallException(file + " is not a Polydesk ISO: it has no " + need);
            }
        }
    }

    /**
     * The release of the system in a Polydesk ISO, as that system says it (its /etc/polydesk/release,
     * in {@code system}, the mounted squashfs); the medium's copy ({@link #RELEASE_FILE}), where it has
     * one, must say the same.
     */
    public static String release(Path medium, Path system, Path file) throws InstallException {
        Path own = system.resolve(BootSlots.RELEASE.toString().substring(1));
        if (!Files.isRegularFile(own)) {
            throw new InstallException(file + " is not a Polydesk ISO: its system has no " + BootSlots.RELEASE
                    + " (an ISO of another system, or of a Polydesk built before updates)");
        }
        String r = BootSlots.readRelease(own);
        if (r.equals("unknown") || !r.matches("[A-Za-z0-9][A-Za-z0-9.+~_:-]{0,100}")) {
            throw new InstallException(file + " names no release its system could be known by (" + BootSlots.RELEASE + ")");
        }
        Path onMedium = medium.resolve(RELEASE_FILE);
        if (Files.isRegularFile(onMedium) && !BootSlots.readRelease(onMedium).equals(r)) {
            throw new InstallException(file + " is not a whole Polydesk ISO: its medium says release "
                    + BootSlots.readRelease(onMedium) + ", its system " + r);
        }
        return r;
    }

    /**
     * The system image's SHA-256 against live-build's sha256sum.txt, reading it once; {@code percent}
     * hears how far it got.
     */
    public static void verify(Path dir, Path file, java.util.function.IntConsumer percent) throws InstallException {
        String expected;
        try {
            expected = Files.readAllLines(dir.resolve("sha256sum.txt")).stream()
                    .map(l -> l.strip().split("\\s+"))
                    .filter(f -> f.length == 2 && (f[1].equals("./" + SQUASHFS) || f[1].equals(SQUASHFS)))
                    .map(f -> f[0].toLowerCase(java.util.Locale.ROOT)).findFirst()
                    .orElseThrow(() -> new InstallException(file + ": sha256sum.txt has no sum of " + SQUASHFS));
        } catch (IOException e) {
            throw new InstallException("cannot read sha256sum.txt of " + file + ": " + e.getMessage(), e);
        }
        Path squashfs = dir.resolve(SQUASHFS);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(squashfs)) {
            long total = Math.max(1, Files.size(squashfs));
            long done = 0;
            int shown = -1;
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                done += n;
                int pct = (int) (done * 100 / total);
                if (pct / 10 != shown / 10) {
                    percent.accept(pct);
                    shown = pct;
                }
            }
        } catch (IOException e) {
            throw new InstallException("cannot read " + SQUASHFS + " of " + file + ": " + e.getMessage()
                    + " (a damaged medium?)", e);
        }
        String got = HexFormat.of().formatHex(sha.digest());
        if (!got.equals(expected)) {
            throw new InstallException(file + " is damaged: its " + SQUASHFS + " has SHA-256 " + got
                    + ", not the " + expected + " of its sha256sum.txt; download or copy it again");
        }
    }
}
