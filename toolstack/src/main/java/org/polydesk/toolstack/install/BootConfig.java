package org.polydesk.toolstack.install;

/**
 * The files the installer writes that decide how the installed system boots and mounts:
 * /etc/fstab and GRUB's grub.cfg (one file for BIOS and UEFI: Xen by multiboot2 as the
 * default entry, the dom0 kernel alone as a rescue entry).
 */
public final class BootConfig {
    /**
     * Xen's command line, as on the ISO (distro/config/hooks/normal/0900-polydesk-xen.hook.binary):
     * dom0 memory capped, CPU microcode loaded from the initrd, the console on COM1 and the screen.
     */
    public static final String DEFAULT_XEN_CMDLINE =
            "dom0_mem=2048M,max:2048M ucode=scan console=com1,vga com1=115200,8n1 loglvl=warning guest_loglvl=warning";
    /** dom0's console: the screen and Xen's console (hvc0, which Xen puts on COM1). */
    public static final String DOM0_CONSOLE = "console=tty0 console=hvc0";

    private BootConfig() {
    }

    /** The name under which the installed system opens the encrypted VM store (/dev/mapper/NAME). */
    public static final String VM_STORE_MAPPING = "polydesk-vms";

    /**
     * The UUIDs of the new file systems; {@code luks} is the VM store's LUKS2 container when it is
     * encrypted (null otherwise), and {@code vmStorage} the file system inside it.
     */
    public record Uuids(String root, String esp, String vmStorage, String luks) {
    }

    /** What is in /boot of the copied system. */
    public record BootFiles(String xen, String kernel, String initrd) {
    }

    public static String fstab(Uuids uuids) {
        return "# /etc/fstab of Polydesk, written by polyctl install.\n"
                + "# <file system>  <mount point>  <type>  <options>  <dump>  <pass>\n"
                + "UUID=" + uuids.root() + "  /  ext4  errors=remount-ro  0  1\n"
                + "UUID=" + uuids.esp() + "  /boot/efi  vfat  umask=0077  0  2\n"
                + (uuids.luks() == null ? "UUID=" + uuids.vmStorage() : "/dev/mapper/" + VM_STORE_MAPPING)
                + "  " + PartitionPlan.VM_STORAGE_MOUNT + "  ext4  defaults,nofail  0  2\n";
    }

    /**
     * The encrypted VM store: systemd-cryptsetup asks its passphrase at boot (on the serial console,
     * and on the screen through polydesk-ask-password-screen), waiting as long as it takes. Not
     * nofail: the boot waits for it, since polydeskd has no VMs without it.
     */
    public static String crypttab(Uuids uuids) {
        return "# /etc/crypttab of Polydesk, written by polyctl install.\n"
                + "# <name>  <device>  <key file>  <options>\n"
                + VM_STORE_MAPPING + "  UUID=" + uuids.luks() + "  none  luks,discard\n";
    }

    public static String grubCfg(String rootUuid, BootFiles boot, String xenCmdline) {
        String dom0 = "root=UUID=" + rootUuid + " ro " + DOM0_CONSOLE;
        return """
                # GRUB configuration of Polydesk, written by polyctl install; the same file serves
                # BIOS (i386-pc) and UEFI (x86_64-efi). As in Debian's 20_linux_xen, the first word
                # of each multiboot2 command line is a placeholder that Xen skips.
                set default=0
                set timeout=5
                serial --unit=0 --speed=115200
                terminal_input console serial
                terminal_output console serial
                insmod part_gpt
                insmod ext2
                insmod gzio
                insmod multiboot2
                search --no-floppy --fs-uuid --set=root %1$s

                menuentry 'Polydesk (Xen)' --id polydesk {
                \tmultiboot2 /boot/%2$s placeholder %3$s
                \tmodule2 /boot/%4$s placeholder %5$s
                \tmodule2 --nounzip /boot/%6$s
                }

                menuentry 'Polydesk dom0 kernel without Xen (rescue)' --id polydesk-nox {
                \tlinux /boot/%4$s %5$s
                \tinitrd /boot/%6$s
                }
                """.formatted(rootUuid, boot.xen(), xenCmdline, boot.kernel(), dom0, boot.initrd());
    }
}
