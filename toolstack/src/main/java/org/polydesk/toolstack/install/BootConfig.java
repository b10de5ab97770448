package org.polydesk.toolstack.install;

/**
 * The files the installer writes that decide how the installed system boots and mounts:
 * /etc/fstab, /etc/crypttab and GRUB's menu (one grub.cfg for BIOS and UEFI that chooses between
 * the two system slots, and each slot's entries: Xen by multiboot2, the dom0 kernel alone as rescue).
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

    /**
     * GRUB's menu on the EFI system partition, the same for BIOS (i386-pc) and UEFI (x86_64-efi) and
     * for both system slots: it boots grubenv's default_slot, or next_slot once (cleared before it
     * boots, so a try that never comes up healthy is not booted again), with that slot's entries
     * first and the other slot's after them.
     */
    public static String grubCfg() {
        return """
                # GRUB configuration of Polydesk on the EFI system partition, written by polyctl install;
                # the same file serves BIOS (i386-pc) and UEFI (x86_64-efi). Two systems, slots a and b,
                # each with its menu entries in slot-a.cfg and slot-b.cfg here. grubenv says which boots:
                # default_slot, the system kept, or next_slot (written by polyctl host update), tried once:
                # it is cleared before it boots, and only polydesk-boot-ok makes a healthy try the default.
                set timeout=5
                serial --unit=0 --speed=115200
                terminal_input console serial
                terminal_output console serial
                insmod part_gpt
                insmod ext2
                insmod fat
                insmod gzio
                insmod multiboot2
                load_env
                set slot=a
                if [ "${default_slot}" = b ]; then set slot=b; fi
                # Menu entries see exported variables only.
                set trial_a=
                set trial_b=
                if [ "${next_slot}" = a ]; then
                	set slot=a
                	set trial_a=%1$s
                elif [ "${next_slot}" = b ]; then
                	set slot=b
                	set trial_b=%1$s
                fi
                export trial_a
                export trial_b
                if [ -n "${next_slot}" ]; then
                	set next_slot=
                	save_env next_slot
                fi
                set default=0
                if [ "${slot}" = b ]; then
                	source ${prefix}/slot-b.cfg
                	if [ -f ${prefix}/slot-a.cfg ]; then source ${prefix}/slot-a.cfg; fi
                else
                	source ${prefix}/slot-a.cfg
                	if [ -f ${prefix}/slot-b.cfg ]; then source ${prefix}/slot-b.cfg; fi
                fi
                """.formatted(BootSlots.TRIAL_ARG);
    }

    /**
     * One slot's menu entries: Xen by multiboot2 (the first word of each multiboot2 command line is a
     * placeholder that Xen skips, as in Debian's 20_linux_xen), with the slot and, on a try, the
     * trial flag on dom0's command line; and the dom0 kernel alone as a rescue entry.
     */
    public static String slotCfg(String slot, String release, String rootUuid, BootFiles boot, String xenCmdline) {
        String dom0 = "root=UUID=" + rootUuid + " ro " + DOM0_CONSOLE + " polydesk.slot=" + slot;
        String name = "Polydesk " + release.replace("'", "") + ", system " + slot;
        return """
                # System %7$s of Polydesk: %8$s. Written by polyctl install or host update; sourced by grub.cfg.
                menuentry '%9$s (Xen)' --id polydesk-%7$s {
                	search --no-floppy --fs-uuid --set=root %1$s
                	multiboot2 /boot/%2$s placeholder %3$s
                	module2 /boot/%4$s placeholder %5$s ${trial_%7$s}
                	module2 --nounzip /boot/%6$s
                }

                menuentry '%9$s: dom0 kernel without Xen (rescue)' --id polydesk-%7$s-nox {
                	search --no-floppy --fs-uuid --set=root %1$s
                	linux /boot/%4$s %5$s
                	initrd /boot/%6$s
                }
                """.formatted(rootUuid, boot.xen(), xenCmdline, boot.kernel(), dom0, boot.initrd(), slot, release, name);
    }
}
