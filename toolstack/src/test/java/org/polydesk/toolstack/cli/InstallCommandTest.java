package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** polyctl install from the command line: what a person sees when it will not go on. */
class InstallCommandTest {
    final PolyctlRunner polyctl = new PolyctlRunner(Path.of("/nonexistent/polydeskd.sock"));

    @Test
    void theDiskIsRequired() {
        PolyctlRunner.Run r = polyctl.run("install");
        assertEquals(Polyctl.EXIT_USAGE, r.exit());
        assertTrue(r.err().contains("Missing required option: '--disk=DEVICE'"), r.err());
    }

    @Test
    void aFileIsNotADisk() {
        PolyctlRunner.Run r = polyctl.run("install", "--disk", "/tmp/some-disk.img", "--dry-run");
        assertEquals(Polyctl.EXIT_REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith("[1/8    0s] checking this machine and /tmp/some-disk.img"), r.out());
        assertTrue(r.err().contains("polyctl: install failed at step 1/8 (checking this machine and /tmp/some-disk.img):"
                + " /tmp/some-disk.img is not a device under /dev"), r.err());
        assertTrue(!r.err().contains("partly written"), "nothing was written at step 1: " + r.err());
    }

    @Test
    void theAdministratorsPasswordIsChecked(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path empty = java.nio.file.Files.writeString(tmp.resolve("password"), "\n");
        PolyctlRunner.Run r = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--password-file", empty.toString());
        assertEquals(Polyctl.EXIT_REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("polyctl: the administrator needs a password"), r.err());
        PolyctlRunner.Run name = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--admin", "Admin",
                "--password-file", tmp.resolve("password").toString());
        assertTrue(name.err().contains("the administrator's user name must be"), name.err());
        PolyctlRunner.Run missing = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--password-file",
                tmp.resolve("nothing").toString());
        assertTrue(missing.err().contains("cannot read the password file " + tmp.resolve("nothing")), missing.err());
    }

    @Test
    void theEncryptionsPassphraseIsCheckedBeforeAnythingIsWritten(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path password = java.nio.file.Files.writeString(tmp.resolve("password"), "admin-secret\n");
        Path shortOne = java.nio.file.Files.writeString(tmp.resolve("passphrase"), "short\n");
        PolyctlRunner.Run r = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--password-file", password.toString(),
                "--encrypt", "--passphrase-file", shortOne.toString());
        assertEquals(Polyctl.EXIT_REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("polyctl: the passphrase must be 8 to 512 characters long, not 5"), r.err());
        assertEquals("", r.out(), "refused before the first step");
        PolyctlRunner.Run without = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--passphrase-file",
                shortOne.toString());
        assertTrue(without.err().contains("--passphrase-file is the encryption's passphrase: give --encrypt too"), without.err());
        PolyctlRunner.Run bothStdin = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--password-file", "-",
                "--encrypt", "--passphrase-file", "-");
        assertTrue(bothStdin.err().contains("standard input can give the password or the passphrase, not both"), bothStdin.err());
    }

    @Test
    void anUnknownTimeZoneIsRefusedBeforeTheFirstStep() {
        PolyctlRunner.Run r = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--time-zone", "Europe/Atlantis");
        assertEquals(Polyctl.EXIT_REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("polyctl: unknown time zone 'Europe/Atlantis'"), r.err());
        assertEquals("", r.out(), "refused before the first step");
        PolyctlRunner.Run path = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--time-zone", "../../etc/passwd");
        assertTrue(path.err().contains("a time zone is a name like Europe/Berlin"), path.err());
    }

    @Test
    void anUnknownKeyboardLayoutOrVariantIsRefusedBeforeTheFirstStep() {
        // Against this machine's XKB rules (xkb-data), as on the live system.
        PolyctlRunner.Run r = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--keyboard", "klingon");
        assertEquals(Polyctl.EXIT_REFUSED, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("polyctl: unknown keyboard layout 'klingon'"), r.err());
        assertEquals("", r.out(), "refused before the first step");
        PolyctlRunner.Run variant = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--keyboard", "de",
                "--keyboard-variant", "dvorak-intl");
        assertEquals(Polyctl.EXIT_REFUSED, variant.exit(), variant.out() + variant.err());
        assertTrue(variant.err().contains("layout 'de' has no variant 'dvorak-intl'"), variant.err());
        PolyctlRunner.Run alone = polyctl.run("install", "--disk", "/dev/vdz", "--dry-run", "--keyboard-variant", "nodeadkeys");
        assertTrue(alone.err().contains("a keyboard variant needs its layout"), alone.err());
    }

    @Test
    void helpSaysWhatItRefuses() {
        PolyctlRunner.Run r = polyctl.run("install", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Refuses the disk Polydesk runs from"), r.out());
        assertTrue(r.out().contains("--force"), r.out());
    }
}
