package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks of an update's file, on real ISO 9660 images made by xorriso, whole and cut short. */
class UpdateImageTest {
    @TempDir
    Path tmp;

    /** A Polydesk ISO's tree: the release, the live system's files and live-build's sums. */
    static Path polydeskTree(Path dir, String release, byte[] system) throws Exception {
        Files.createDirectories(dir.resolve(".disk"));
        Files.createDirectories(dir.resolve("live"));
        Files.writeString(dir.resolve(".disk/polydesk-release"), release + "\n");
        Files.write(dir.resolve("live/filesystem.squashfs"), system);
        Files.writeString(dir.resolve("live/filesystem.size"), "4096\n");
        for (String f : new String[] {"vmlinuz", "initrd.img", "xen.gz"}) {
            Files.writeString(dir.resolve("live").resolve(f), f);
        }
        String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(system));
        Files.writeString(dir.resolve("sha256sum.txt"), "0000  ./live/vmlinuz\n" + sum + "  ./live/filesystem.squashfs\n");
        return dir;
    }

    static Path iso(Path tree, Path out) throws Exception {
        GrubEnvTest.run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-V", "POLYDESK", "-o", out.toString(), tree.toString());
        return out;
    }

    @Test
    void aWholeIsoIsAsLongAsTheVolumeItDeclares() throws Exception {
        Path iso = iso(polydeskTree(tmp.resolve("tree"), "2.0", new byte[300_000]), tmp.resolve("p.iso"));
        assertEquals(Files.size(iso), UpdateImage.checkFile(iso));
    }

    @Test
    void aTruncatedIsoIsRefusedWithHowMuchOfItIsThere() throws Exception {
        Path iso = iso(polydeskTree(tmp.resolve("tree"), "2.0", new byte[300_000]), tmp.resolve("p.iso"));
        byte[] whole = Files.readAllBytes(iso);
        Path cut = tmp.resolve("cut.iso");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        InstallException e = assertThrows(InstallException.class, () -> UpdateImage.checkFile(cut));
        assertTrue(e.getMessage().contains("is truncated: it holds " + whole.length / 2 + " of the " + whole.length + " bytes"),
                e.getMessage());
    }

    @Test
    void whatIsNoIsoIsRefused() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.iso"), "hello\n".repeat(10_000));
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.checkFile(text)).getMessage()
                .contains("is not a Polydesk ISO: it is not an ISO 9660 image"));
        Path tiny = Files.writeString(tmp.resolve("tiny.iso"), "x");
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.checkFile(tiny)).getMessage()
                .contains("too few for an ISO 9660 image"));
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.checkFile(tmp.resolve("none.iso"))).getMessage()
                .contains("does not exist"));
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.checkFile(tmp)).getMessage()
                .contains("is a directory"));
    }

    @Test
    void anIsoOfAnotherSystemIsNotAPolydeskIso() throws Exception {
        Path tree = polydeskTree(tmp.resolve("tree"), "2.0", new byte[10]);
        Path system = Files.createDirectories(tmp.resolve("system/etc/polydesk")).getParent().getParent();
        Files.writeString(system.resolve("etc/polydesk/release"), "2.0\n");
        UpdateImage.checkMedium(tree, tmp.resolve("p.iso"));
        assertEquals("2.0", UpdateImage.release(tree, system, tmp.resolve("p.iso")));
        // A medium without its copy of the release (built before the image's hook wrote it) is fine.
        Files.delete(tree.resolve(".disk/polydesk-release"));
        assertEquals("2.0", UpdateImage.release(tree, system, tmp.resolve("p.iso")));
        Files.writeString(tree.resolve(".disk/polydesk-release"), "3.0\n");
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.release(tree, system, tmp.resolve("p.iso")))
                .getMessage().contains("its medium says release 3.0, its system 2.0"));
        Files.delete(system.resolve("etc/polydesk/release"));
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.release(tree, system, tmp.resolve("p.iso")))
                .getMessage().contains("is not a Polydesk ISO: its system has no /etc/polydesk/release"));
        Files.delete(tree.resolve("live/xen.gz"));
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.checkMedium(tree, tmp.resolve("p.iso")))
                .getMessage().contains("is not a Polydesk ISO: it has no live/xen.gz"));
    }

    @Test
    void aDamagedSystemImageFailsItsSum() throws Exception {
        Path tree = polydeskTree(tmp.resolve("tree"), "2.0", "the system".getBytes());
        java.util.List<Integer> seen = new java.util.ArrayList<>();
        UpdateImage.verify(tree, tmp.resolve("p.iso"), seen::add);
        assertEquals(100, seen.get(seen.size() - 1));
        Files.writeString(tree.resolve("live/filesystem.squashfs"), "the systen");
        assertTrue(assertThrows(InstallException.class, () -> UpdateImage.verify(tree, tmp.resolve("p.iso"), p -> { }))
                .getMessage().contains("is damaged: its live/filesystem.squashfs has SHA-256"));
    }
}
