package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an update carries from the running root into the new one, and what it leaves to the new release. */
class SystemStateTest {
    @TempDir
    Path tmp;

    static void write(Path root, String rel, String text) throws Exception {
        Path f = root.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void settingsAccountsAndHomesComeAlongAndTheNewReleasesOwnFilesStay() throws Exception {
        Path old = tmp.resolve("old"), fresh = tmp.resolve("new");
        write(old, "etc/fstab", "# fstab\nUUID=old-root  /  ext4  errors=remount-ro  0  1\n"
                + "UUID=ESP1  /boot/efi  vfat  umask=0077  0  2\n/dev/mapper/polydesk-vms  /var/lib/polydesk  ext4  defaults,nofail  0  2\n");
        write(old, "etc/crypttab", "polydesk-vms  UUID=luks1  none  luks,discard\n");
        write(old, "etc/hostname", "polydesk\n");
        write(old, "etc/default/keyboard", "XKBLAYOUT=\"gb\"\n");
        write(old, "etc/timezone", "Europe/Berlin\n");
        Files.createSymbolicLink(old.resolve("etc/localtime"), Path.of("/usr/share/zoneinfo/Europe/Berlin"));
        write(old, "etc/ssh/ssh_host_ed25519_key", "KEY\n");
        write(old, "etc/NetworkManager/system-connections/home.nmconnection", "[wifi]\nssid=home\n");
        write(old, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nadmin:x:1000:1000:Polydesk administrator:/home/admin:/bin/bash\n");
        write(old, "etc/shadow", "root:*:19000:0:99999:7:::\nadmin:$y$hash:19000:0:99999:7:::\n");
        write(old, "etc/group", "root:x:0:\nsudo:x:27:admin\npolydesk:x:999:admin\nadmin:x:1000:\n");
        write(old, "etc/gshadow", "root:*::\nsudo:*::admin\npolydesk:!::admin\nadmin:!::\n");
        write(old, "home/admin/.bash_history", "polyctl vm list\n");
        write(old, "etc/motd", "the old release's motd\n");

        write(fresh, "etc/fstab", "# the live image's\n");
        write(fresh, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnewsvc:x:120:120::/nonexistent:/usr/sbin/nologin\n");
        write(fresh, "etc/shadow", "root:*:19500:0:99999:7:::\nnewsvc:!:19500::::::\n");
        write(fresh, "etc/group", "root:x:0:\nsudo:x:27:\npolydesk:x:998:\nnewsvc:x:120:\n");
        write(fresh, "etc/gshadow", "root:*::\nsudo:*::\npolydesk:!::\nnewsvc:!::\n");
        write(fresh, "etc/motd", "the new release's motd\n");

        List<String> done = SystemState.carry(old, fresh, "new-root");

        assertEquals("# fstab\nUUID=new-root  /  ext4  errors=remount-ro  0  1\nUUID=ESP1  /boot/efi  vfat  umask=0077  0  2\n"
                + "/dev/mapper/polydesk-vms  /var/lib/polydesk  ext4  defaults,nofail  0  2\n", Files.readString(fresh.resolve("etc/fstab")));
        assertEquals("polydesk-vms  UUID=luks1  none  luks,discard\n", Files.readString(fresh.resolve("etc/crypttab")));
        assertEquals(Path.of("/usr/share/zoneinfo/Europe/Berlin"), Files.readSymbolicLink(fresh.resolve("etc/localtime")));
        assertEquals("XKBLAYOUT=\"gb\"\n", Files.readString(fresh.resolve("etc/default/keyboard")));
        assertEquals("KEY\n", Files.readString(fresh.resolve("etc/ssh/ssh_host_ed25519_key")));
        assertTrue(Files.exists(fresh.resolve("etc/NetworkManager/system-connections/home.nmconnection")));
        assertEquals("polyctl vm list\n", Files.readString(fresh.resolve("home/admin/.bash_history")));
        assertEquals("the new release's motd\n", Files.readString(fresh.resolve("etc/motd")), "the rest of /etc is the new release's");

        assertEquals(List.of("root:x:0:0:root:/root:/bin/bash", "newsvc:x:120:120::/nonexistent:/usr/sbin/nologin",
                "admin:x:1000:1000:Polydesk administrator:/home/admin:/bin/bash"), Files.readAllLines(fresh.resolve("etc/passwd")));
        assertTrue(Files.readAllLines(fresh.resolve("etc/shadow")).contains("admin:$y$hash:19000:0:99999:7:::"));
        assertEquals(List.of("root:x:0:", "sudo:x:27:admin", "polydesk:x:998:admin", "newsvc:x:120:", "admin:x:1000:"),
                Files.readAllLines(fresh.resolve("etc/group")), "the new release's gids, the old memberships");
        assertTrue(Files.readAllLines(fresh.resolve("etc/gshadow")).contains("sudo:*::admin"));
        assertTrue(done.contains("accounts admin"), done.toString());
        assertTrue(done.contains("/etc/fstab (root UUID=new-root)"), done.toString());
    }

    @Test
    void aRunningSystemWithoutARootLineIsRefused() throws Exception {
        assertThrows(java.io.IOException.class, () -> SystemState.fstab("UUID=x /boot/efi vfat defaults 0 2\n", "r"));
        assertFalse(SystemState.fstab("UUID=x / ext4 defaults 0 1", "r").contains("UUID=x"));
    }
}
