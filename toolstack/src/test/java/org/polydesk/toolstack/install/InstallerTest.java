package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.HostCheck;

/** The installer's order of work in a dry run, and its failures, without touching a disk. */
class InstallerTest {
    static final long GIB = 1024L * 1024 * 1024;
    static final Installer.Admin ADMIN = new Installer.Admin("admin", "secret");

    @TempDir
    Path tmp;

    /** Answers wipefs with {@code signatures}; everything else "succeeds" and is recorded. */
    static final class FakeRunner implements CommandRunner {
        final List<List<String>> ran = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final String signatures;
        /** blkid answers a UUID made of the device's name (else nothing, as for a device it cannot read). */
        boolean uuids;
        final String failing;

        FakeRunner(String signatures, String failing) {
            this.signatures = signatures;
            this.failing = failing;
        }

        @Override
        public Result run(List<String> command, String input) {
            ran.add(command);
            inputs.add(input);
            if (uuids && command.get(0).equals("blkid")) {
                return new Result(0, "uuid-" + Path.of(command.get(command.size() - 1)).getFileName() + "\n", "");
            }
            if (command.get(0).equals("wipefs") && command.contains("--noheadings")) {
                return new Result(0, signatures, "");
            }
            if (command.get(0).equals("du")) {
                return new Result(0, "1048576\t" + command.get(2) + "\n", "");
            }
            if (failing != null && command.get(0).equals(failing)) {
                return new Result(1, "", failing + ": something broke\n");
            }
            return new Result(0, "", "");
        }

        @Override
        public Process start(List<String> command) throws InstallException {
            throw new InstallException("not in this test");
        }
    }

    final List<String> shown = new ArrayList<>();
    final Installer.Progress progress = new Installer.Progress() {
        @Override
        public void step(int n, int total, String what) {
            shown.add("[" + n + "/" + total + "] " + what);
        }

        @Override
        public void detail(String text) {
            shown.add("  " + text);
        }
    };

    /** The machine the installer is told of: VT-x and Xen there, no IOMMU, one display controller. */
    Installer.MachineCheck machine = () -> new HostCheck(List.of(
            new HostCheck.Finding(HostCheck.CPU, HostCheck.Status.OK, "Intel VT-x (Xen: hvm)"),
            new HostCheck.Finding(HostCheck.IOMMU, HostCheck.Status.MISSING, "Xen uses no IOMMU (no hvm_directio)")),
            List.of(new HostCheck.Display("0000:00:02.0", "Intel", "UHD 630", "i915", true, null, List.of(), List.of("flr"),
                    HostCheck.Verdict.NOT_ASSIGNABLE, List.of("no IOMMU"), List.of())));

    Installer installer(FakeRunner runner, FakeSys fake) {
        return new Installer(runner, fake.devices("/dev/sr0 /run/live/medium iso9660 ro 0 0\n"), progress, () -> machine.check());
    }

    @Test
    void dryRunGoesThroughEveryStepInOrder() throws Exception {
        FakeSys fake = new FakeSys(tmp).disk("sr0", 900L << 20).disk("vdb", 16 * GIB);
        Installer installer = installer(new FakeRunner("", null), fake);
        String disk = fake.dev.resolve("vdb").toString();
        installer.install(Installer.Options.of(disk).withDryRun(true));

        List<String> programs = installer.dryRunCommands().stream()
                .map(c -> c.get(0).equals("chroot") ? "chroot " + c.get(2) + " " + c.get(3) : c.get(0)).toList();
        assertEquals(List.of("sgdisk", "sgdisk", "udevadm", "blockdev",
                "mkfs.vfat", "mkfs.ext4", "wipefs", "mkfs.ext4", "blkid", "blkid", "blkid",
                "mount", "mount", "cp", "mount",
                "mount", "mount", "mount",
                "chroot grub-install --target=i386-pc", "chroot grub-install --target=x86_64-efi",
                "sync", "umount", "umount", "umount", "umount", "umount", "umount"), programs);
        List<String> steps = shown.stream().filter(s -> s.startsWith("[")).toList();
        assertEquals(8, steps.size(), String.join("\n", shown));
        assertEquals("[1/8] checking this machine and " + disk, steps.get(0));
        // The host check is shown before anything is written (step 2 partitions).
        int iommu = indexOf("this machine: iommu", "missing", "no hvm_directio");
        assertTrue(iommu > 0 && iommu < shown.indexOf("[2/8] partitioning " + disk), String.join("\n", shown));
        assertTrue(indexOf("display controller 0000:00:02.0 (Intel UHD 630): not-assignable: no IOMMU") > 0, String.join("\n", shown));
        assertEquals("[8/8] done", steps.get(7));
        assertTrue(shown.stream().anyMatch(s -> s.contains("multiboot2 /boot/xen-4.17-amd64.gz")), String.join("\n", shown));
        // The VM store (definitions, images, media) is the last partition, mounted where polydeskd keeps them.
        assertTrue(shown.stream().anyMatch(s -> s.contains("UUID=<uuid-of-" + disk + "5>  /var/lib/polydesk  ext4")),
                String.join("\n", shown));
        assertTrue(shown.stream().noneMatch(s -> s.contains("crypttab")), String.join("\n", shown));
    }

    @Test
    void anEncryptedInstallPutsTheVmStoreOnLuks2() throws Exception {
        FakeSys fake = new FakeSys(tmp).disk("sr0", 900L << 20).disk("vdb", 16 * GIB);
        Installer installer = installer(new FakeRunner("", null), fake);
        String disk = fake.dev.resolve("vdb").toString();
        installer.install(Installer.Options.of(disk).withDryRun(true)
                .withEncryption(Installer.Encryption.of("correct horse", "correct horse")));

        List<List<String>> ran = installer.dryRunCommands();
        String mapper = "/dev/mapper/" + Installer.INSTALL_MAPPING;
        int format = indexOfCommand(ran, "cryptsetup", "luksFormat");
        int open = indexOfCommand(ran, "cryptsetup", "open");
        int mkfs = ran.indexOf(List.of("mkfs.ext4", "-F", "-q", "-m", "0", "-L", PartitionPlan.VMS_LABEL, mapper));
        assertTrue(format > 0 && open > format && mkfs > open, ran.toString());
        assertTrue(ran.get(format).containsAll(List.of("--type", "luks2", "--key-file=-", disk + "5")), ran.get(format).toString());
        assertTrue(ran.get(format).stream().noneMatch(a -> a.contains("correct horse")), "the passphrase is on no command line");
        assertTrue(ran.contains(List.of("mount", mapper, tmpTarget() + "/var/lib/polydesk")), ran.toString());
        // Closed last, after every unmount.
        assertEquals(List.of("cryptsetup", "close", Installer.INSTALL_MAPPING), ran.get(ran.size() - 1));
        assertTrue(shown.stream().anyMatch(s -> s.contains("/dev/mapper/polydesk-vms  /var/lib/polydesk  ext4")),
                String.join("\n", shown));
        assertTrue(shown.stream().anyMatch(s -> s.contains("polydesk-vms  UUID=<uuid-of-" + disk + "5>  none  luks")),
                String.join("\n", shown));
        assertTrue(shown.contains("[3/8] making file systems (the VM store on LUKS2)"), String.join("\n", shown));
    }

    @Test
    void thePassphraseGoesOnStandardInputAndAFailureClosesTheMapping() throws Exception {
        FakeSys fake = new FakeSys(tmp).disk("vdb", 16 * GIB, "vdb1", "vdb2", "vdb3", "vdb4", "vdb5");
        FakeRunner runner = new FakeRunner("gpt\n", "mount");
        runner.uuids = true;
        Installer installer = installer(runner, fake);
        String disk = fake.dev.resolve("vdb").toString();
        java.nio.file.Files.createDirectories(tmp.resolve("src/etc"));
        java.nio.file.Files.createDirectories(tmp.resolve("src/boot"));
        InstallException e = assertThrows(InstallException.class, () -> installer.install(Installer.Options.of(disk)
                .withForce(true).withSource(tmp.resolve("src")).withTarget(tmp.resolve("target")).withAdmin(ADMIN)
                .withEncryption(Installer.Encryption.of("correct horse", "correct horse"))));
        assertTrue(e.getMessage().startsWith("install failed at step 4/8"), e.getMessage());
        int format = indexOfCommand(runner.ran, "cryptsetup", "luksFormat");
        int open = indexOfCommand(runner.ran, "cryptsetup", "open");
        // Exactly the passphrase: no line break, which the boot prompt would not send.
        assertEquals("correct horse", runner.inputs.get(format));
        assertEquals("correct horse", runner.inputs.get(open));
        assertEquals(List.of("cryptsetup", "close", Installer.INSTALL_MAPPING), runner.ran.get(runner.ran.size() - 1));
    }

    @Test
    void aPassphraseTypedTwiceDifferentlyOrTooShortIsRefused() {
        InstallException differ = assertThrows(InstallException.class,
                () -> Installer.Encryption.of("correct horse", "correct hose"));
        assertEquals("the two passphrases differ; nothing was written", differ.getMessage());
        assertTrue(assertThrows(InstallException.class, () -> Installer.Encryption.of("short", "short"))
                .getMessage().contains("8 to 512 characters long, not 5"));
        assertTrue(assertThrows(InstallException.class, () -> Installer.Encryption.of("line\nbreak!", "line\nbreak!"))
                .getMessage().contains("line breaks"));
        assertTrue(assertThrows(InstallException.class, () -> Installer.Encryption.of("", ""))
                .getMessage().contains("needs a passphrase"));
        assertEquals("Encryption[LUKS2]", new Installer.Encryption("correct horse").toString(), "never printed");
    }

    private static String tmpTarget() {
        return Installer.Options.of("").target().toString();
    }

    private static int indexOfCommand(List<List<String>> ran, String program, String verb) {
        for (int i = 0; i < ran.size(); i++) {
            if (ran.get(i).size() > 1 && ran.get(i).get(0).equals(program) && ran.get(i).get(1).equals(verb)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void forceErasesOldSignaturesFirst() throws Exception {
        FakeSys fake = new FakeSys(tmp).disk("vdb", 16 * GIB, "vdb1");
        Installer installer = installer(new FakeRunner("gpt\nPMBR\n", null), fake);
        String disk = fake.dev.resolve("vdb").toString();
        InstallException refused = assertThrows(InstallException.class,
                () -> installer.install(Installer.Options.of(disk).withDryRun(true)));
        assertTrue(refused.getMessage().startsWith("install failed at step 1/8 (checking this machine and " + disk + "): will not install"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("add --force"), refused.getMessage());

        installer.install(Installer.Options.of(disk).withDryRun(true).withForce(true));
        assertEquals(List.of("wipefs", "--all", "--force", disk), installer.dryRunCommands().get(0));
    }

    @Test
    void aFailingCommandNamesTheStepTheCommandAndItsMessage() throws Exception {
        FakeSys fake = new FakeSys(tmp).disk("vdb", 16 * GIB);
        Installer installer = installer(new FakeRunner("", "sgdisk"), fake);
        String disk = fake.dev.resolve("vdb").toString();
        Path src = java.nio.file.Files.createDirectories(tmp.resolve("src/etc"));
        java.nio.file.Files.createDirectories(tmp.resolve("src/boot"));
        java.nio.file.Files.writeString(src.resolve("hostname"), "polydesk\n");
        InstallException e = assertThrows(InstallException.class,
                () -> installer.install(Installer.Options.of(disk).withSource(tmp.resolve("src")).withAdmin(ADMIN)));
        String m = e.getMessage();
        assertTrue(m.startsWith("install failed at step 2/8 (partitioning " + disk + "): clearing the partition table failed:"), m);
        assertTrue(m.contains("`sgdisk --zap-all " + disk + "` exited 1"), m);
        assertTrue(m.contains("sgdisk: something broke"), m);
        assertTrue(m.contains("was partly written"), m);
    }

    @Test
    void aBusyDiskGetsItsPartitionsThroughPartx() throws Exception {
        // The disk had partitions (so --force); BLKRRPART stays busy, as it did under udev in the boot test.
        FakeSys fake = new FakeSys(tmp).disk("vdb", 16 * GIB, "vdb1", "vdb2", "vdb3", "vdb4", "vdb5");
        FakeRunner runner = new FakeRunner("gpt\n", "blockdev");
        Installer installer = installer(runner, fake);
        String disk = fake.dev.resolve("vdb").toString();
        java.nio.file.Files.createDirectories(tmp.resolve("src/etc"));
        java.nio.file.Files.createDirectories(tmp.resolve("src/boot"));
        InstallException e = assertThrows(InstallException.class, () -> installer.install(
                Installer.Options.of(disk).withForce(true).withSource(tmp.resolve("src")).withAdmin(ADMIN)));
        assertEquals(5, runner.ran.stream().filter(c -> c.get(0).equals("blockdev")).count());
        assertTrue(runner.ran.contains(List.of("partx", "--update", disk)), runner.ran.toString());
        assertTrue(shown.stream().anyMatch(l -> l.contains("(busy, attempt 5 of 5: blockdev: something broke)")),
                String.join("\n", shown));
        // The fake blkid knows no UUIDs: the install stops at the next step, saying so.
        assertTrue(e.getMessage().startsWith("install failed at step 3/8 (making file systems): blkid gives no UUID"),
                e.getMessage());
    }

    @Test
    void withoutALiveSystemItSaysWhereToRunIt() throws Exception {
        FakeSys fake = new FakeSys(tmp).disk("vdb", 16 * GIB);
        Installer installer = installer(new FakeRunner("", null), fake);
        InstallException e = assertThrows(InstallException.class, () -> installer.install(
                Installer.Options.of(fake.dev.resolve("vdb").toString()).withSource(tmp.resolve("nothing")).withAdmin(ADMIN)));
        assertTrue(e.getMessage().contains("run it from the Polydesk ISO or USB stick"), e.getMessage());
    }

    @Test
    void versionKeySortsKernelsByNumber() {
        assertTrue(Installer.versionKey("vmlinuz-6.1.0-10-amd64").compareTo(Installer.versionKey("vmlinuz-6.1.0-9-amd64")) > 0);
    }

    @Test
    void aMachineThatCannotBeCheckedIsSaidAndTheInstallGoesOn() throws Exception {
        machine = () -> {
            throw new java.io.IOException("xl info: no such file");
        };
        FakeSys fake = new FakeSys(tmp).disk("sr0", 900L << 20).disk("vdb", 16 * GIB);
        Installer installer = installer(new FakeRunner("", null), fake);
        installer.install(Installer.Options.of(fake.dev.resolve("vdb").toString()).withDryRun(true));
        assertTrue(indexOf("this machine could not be checked (xl info: no such file)") > 0, String.join("\n", shown));
        assertTrue(shown.contains("[8/8] done"), String.join("\n", shown));
    }

    /** The index of the first line shown that holds every part, or -1. */
    private int indexOf(String... parts) {
        for (int i = 0; i < shown.size(); i++) {
            String line = shown.get(i);
            if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
                return i;
            }
        }
        return -1;
    }
}
