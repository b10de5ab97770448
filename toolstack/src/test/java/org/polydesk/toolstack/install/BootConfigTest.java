package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BootConfigTest {
    static final BootConfig.Uuids UUIDS = new BootConfig.Uuids("1111-root", "AAAA-BBBB", "2222-vms", null);
    static final BootConfig.BootFiles BOOT = new BootConfig.BootFiles("xen-4.17-amd64.gz", "vmlinuz-6.1.0-40-amd64",
            "initrd.img-6.1.0-40-amd64");

    @Test
    void fstabMountsRootEspAndVmStorageByUuid() {
        List<String> lines = BootConfig.fstab(UUIDS).lines().filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of(
                "UUID=1111-root  /  ext4  errors=remount-ro  0  1",
                "UUID=AAAA-BBBB  /boot/efi  vfat  umask=0077  0  2",
                "UUID=2222-vms  /var/lib/polydesk  ext4  defaults,nofail  0  2"), lines);
    }

    @Test
    void anEncryptedVmStoreIsMountedFromItsMappingWhichCrypttabOpens() {
        BootConfig.Uuids encrypted = new BootConfig.Uuids("1111-root", "AAAA-BBBB", "2222-vms", "3333-luks");
        assertTrue(BootConfig.fstab(encrypted).contains("\n/dev/mapper/polydesk-vms  /var/lib/polydesk  ext4  defaults,nofail  0  2\n"),
                BootConfig.fstab(encrypted));
        assertEquals(List.of("polydesk-vms  UUID=3333-luks  none  luks,discard"),
                BootConfig.crypttab(encrypted).lines().filter(l -> !l.startsWith("#")).toList());
    }

    @Test
    void aSlotStartsXenWithDom0MemoryCappedAndItsSlotOnDom0sCommandLine() {
        String cfg = BootConfig.slotCfg("b", "0.2+1", "1111-root", BOOT, BootConfig.DEFAULT_XEN_CMDLINE);
        assertTrue(cfg.contains("search --no-floppy --fs-uuid --set=root 1111-root"), cfg);
        int xen = cfg.indexOf("menuentry 'Polydesk 0.2+1, system b (Xen)' --id polydesk-b {");
        int rescue = cfg.indexOf("menuentry 'Polydesk 0.2+1, system b: dom0 kernel without Xen (rescue)'");
        assertTrue(xen >= 0 && rescue > xen, "Xen is the slot's first entry:\n" + cfg);
        assertTrue(cfg.contains("\tmultiboot2 /boot/xen-4.17-amd64.gz placeholder dom0_mem=2048M,max:2048M "), cfg);
        assertTrue(cfg.contains("\tmodule2 /boot/vmlinuz-6.1.0-40-amd64 placeholder root=UUID=1111-root ro console=tty0"
                + " console=hvc0 polydesk.slot=b ${trial_b}\n"), cfg);
        assertTrue(cfg.contains("\tmodule2 --nounzip /boot/initrd.img-6.1.0-40-amd64\n"), cfg);
        assertTrue(cfg.contains("\tlinux /boot/vmlinuz-6.1.0-40-amd64 root=UUID=1111-root ro console=tty0 console=hvc0"
                + " polydesk.slot=b\n"), "the rescue entry is never a try:\n" + cfg);
    }

    @Test
    void theMenuTriesNextSlotOnceAndOtherwiseBootsTheDefault() {
        String cfg = BootConfig.grubCfg();
        assertTrue(cfg.contains("insmod multiboot2") && cfg.contains("insmod part_gpt") && cfg.contains("insmod ext2")
                && cfg.contains("insmod fat"), cfg);
        int load = cfg.indexOf("load_env");
        int clear = cfg.indexOf("\tset next_slot=\n\tsave_env next_slot");
        int source = cfg.indexOf("source ${prefix}/slot-");
        assertTrue(load >= 0 && clear > load && source > clear, "next_slot is cleared in grubenv before any entry boots:\n" + cfg);
        assertTrue(cfg.contains("\tset trial_b=polydesk.trial=1") && cfg.contains("export trial_b"), cfg);
    }

    /** GRUB's own parser takes the menu and a slot's entries (grub-script-check, of grub-common). */
    @Test
    void grubParsesTheMenuAndTheSlotEntries() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("grubcfg");
        try {
            java.nio.file.Path menu = dir.resolve("grub.cfg");
            java.nio.file.Files.writeString(menu, BootConfig.grubCfg());
            java.nio.file.Path slot = dir.resolve("slot-a.cfg");
            java.nio.file.Files.writeString(slot, BootConfig.slotCfg("a", "0.1.0", "1111-root", BOOT,
                    BootConfig.DEFAULT_XEN_CMDLINE));
            for (java.nio.file.Path f : List.of(menu, slot)) {
                GrubEnvTest.run("grub-script-check", f.toString());
            }
            java.nio.file.Files.writeString(slot, "menuentry 'broken' {\n");
            Process p = new ProcessBuilder("grub-script-check", slot.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertTrue(p.waitFor() != 0, "grub-script-check finds a broken file (so it checks)");
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void theIsoAndTheInstalledSystemGiveXenTheSameCommandLine() throws Exception {
        String hook = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("polydesk.repo"),
                "distro/config/hooks/normal/0900-polydesk-xen.hook.binary"));
        assertTrue(hook.contains("XEN_CMDLINE=\"" + BootConfig.DEFAULT_XEN_CMDLINE + "\""),
                "distro's binary hook and BootConfig.DEFAULT_XEN_CMDLINE differ");
    }
}
