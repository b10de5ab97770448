package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.HostSystem;

/**
 * An update from a real ISO file (xorriso) on a machine made of directories: the mounts are the
 * test's (the ISO's tree and the new system's root are already where the updater mounts them), cp
 * copies for real, and the boot slots are a real grubenv; mkfs and blkid are recorded and answered.
 */
class UpdaterTest {
    @TempDir
    Path tmp;
    Path root, work, parts, image;
    BootSlots slots;
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

    /** Mounts do nothing (the test laid the trees out), cp runs, blkid answers; {@code failing} fails. */
    static final class Machine implements CommandRunner {
        final List<List<String>> ran = new ArrayList<>();
        String failing;

        @Override
        public Result run(List<String> command, String input) {
            ran.add(command);
            if (command.get(0).equals(failing)) {
                return new Result(1, "", failing + ": broke\n");
            }
            if (command.get(0).equals("blkid")) {
                return new Result(0, "uuid-new\n", "");
            }
            return new Result(0, "", "");
        }

        @Override
        public Process start(List<String> command) throws InstallException {
            ran.add(command);
            try {
                return new ProcessBuilder(command).start();
            } catch (java.io.IOException e) {
                throw new InstallException(e.getMessage(), e);
            }
        }
    }

    final Machine machine = new Machine();

    static void write(Path root, String rel, String text) throws Exception {
        Path f = root.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @BeforeEach
    void installedMachineRunningSlotA() throws Exception {
        root = tmp.resolve("root");
        write(root, "etc/fstab", "UUID=root-a  /  ext4  errors=remount-ro  0  1\nUUID=ESP  /boot/efi  vfat  umask=0077  0  2\n");
        write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nadmin:x:1000:1000::/home/admin:/bin/bash\n");
        write(root, "etc/group", "root:x:0:\nsudo:x:27:admin\n");
        write(root, "etc/polydesk/release", "1.0\n");
        write(root, "etc/hostname", "polydesk\n");
        Path grub = Files.createDirectories(tmp.resolve("esp/grub"));
        write(tmp, "cmdline", "placeholder root=UUID=root-a ro polydesk.slot=a\n");
        slots = new BootSlots(grub, tmp.resolve("cmdline"), root.resolve("etc/polydesk/release"));
        GrubEnv.write(slots.env(), BootSlots.installed("1.0"));
        write(grub, "slot-a.cfg", "menuentry 'a' {\n}\n");
        parts = Files.createDirectories(tmp.resolve("by-partlabel"));
        write(parts, "polydesk-root-b", "");
        work = tmp.resolve("work");
        image = newIso("2.0");
        // The new system, where the updater mounts the ISO's squashfs.
        Path system = work.resolve("system");
        write(system, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
        write(system, "etc/group", "root:x:0:\nsudo:x:27:\n");
        write(system, "etc/polydesk/release", "2.0\n");
        write(system, "boot/vmlinuz-6.1.0-9-amd64", "kernel");
        write(system, "boot/initrd.img-6.1.0-9-amd64", "initrd");
        write(system, "boot/xen-4.17-amd64.gz", "xen");
    }

    /** The ISO file, and its tree where the updater mounts it (its system's tree is the test's). */
    Path newIso(String release) throws Exception {
        Path tree = work.resolve("iso");
        if (Files.exists(tree)) {
            try (var all = Files.walk(tree)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        UpdateImageTest.polydeskTree(tree, release, "squashfs".getBytes());
        return UpdateImageTest.iso(tree, tmp.resolve("polydesk-" + release + ".iso"));
    }

    Updater.Options options() {
        return new Updater.Options(image, root, parts, work, BootConfig.DEFAULT_XEN_CMDLINE);
    }

    Updater updater() {
        return new Updater(machine, slots, progress);
    }

    @Test
    void theNewSystemGoesIntoSlotBWhichTheNextBootTriesOnce() throws Exception {
        Updater.Plan plan = updater().check(options());
        assertEquals(new Updater.Plan("2.0", "b", parts.resolve("polydesk-root-b").toRealPath().toString()), plan);
        updater().update(options(), plan);

        assertEquals(List.of("[1/7] checking " + image, "[2/7] verifying the new system's image (SHA-256)",
                "[3/7] making system b's file system on " + plan.partition(), "[4/7] copying Polydesk 2.0 into system b",
                "[5/7] carrying this system's settings and accounts into system b",
                "[6/7] making system b the next boot, once", "[7/7] unmounting"),
                shown.stream().filter(s -> s.startsWith("[")).toList());
        assertTrue(machine.ran.contains(List.of("mkfs.ext4", "-F", "-q", "-L", "polydesk-root-b", plan.partition())));
        Path target = work.resolve("target");
        assertEquals("2.0", BootSlots.readRelease(target.resolve("etc/polydesk/release")), "the new system was copied");
        assertTrue(Files.readString(target.resolve("etc/fstab")).startsWith("UUID=uuid-new  /  ext4"));
        assertTrue(Files.readString(target.resolve("etc/passwd")).contains("\nadmin:x:1000:"), "the administrator came along");
        String entries = Files.readString(slots.slotConfig("b"));
        assertTrue(entries.contains("module2 /boot/vmlinuz-6.1.0-9-amd64 placeholder root=UUID=uuid-new ro console=tty0"
                + " console=hvc0 polydesk.slot=b ${trial_b}"), entries);
        assertTrue(entries.contains("menuentry 'Polydesk 2.0, system b (Xen)'"), entries);
        HostSystem s = slots.status();
        assertEquals("b", s.nextBoot());
        assertTrue(s.trying());
        assertEquals("2.0", s.otherRelease());
        assertTrue(s.kept(), "slot a stays the system kept until b says it is healthy");
        for (String m : List.of("iso", "system", "target")) {
            assertTrue(machine.ran.contains(List.of("umount", work.resolve(m).toString())), m + " unmounted");
        }
    }

    @Test
    void theReleaseThatRunsIsRefusedBeforeAnythingIsWritten() throws Exception {
        image = newIso("1.0");
        write(work.resolve("system"), "etc/polydesk/release", "1.0\n");
        InstallException e = assertThrows(InstallException.class, () -> updater().check(options()));
        assertTrue(e.getMessage().contains("holds 1.0, the release that runs now; nothing to update"), e.getMessage());
        assertTrue(machine.ran.stream().noneMatch(c -> c.get(0).startsWith("mkfs")));
    }

    @Test
    void aTruncatedFileIsRefusedBeforeItIsEvenMounted() throws Exception {
        byte[] whole = Files.readAllBytes(image);
        Files.write(image, java.util.Arrays.copyOf(whole, whole.length - 2048));
        InstallException e = assertThrows(InstallException.class, () -> updater().check(options()));
        assertTrue(e.getMessage().contains("is truncated"), e.getMessage());
        assertEquals(List.of(), machine.ran);
    }

    @Test
    void onlyTheSystemKeptOnAMachineWithTwoSlotsIsUpdated() throws Exception {
        write(tmp, "cmdline", "boot=live components\n");
        assertTrue(assertThrows(InstallException.class, () -> updater().check(options())).getMessage()
                .contains("not an installed Polydesk with two system slots"));
        write(tmp, "cmdline", "polydesk.slot=b polydesk.trial=1\n");
        assertTrue(assertThrows(InstallException.class, () -> updater().check(options())).getMessage()
                .contains("is not the one kept"));
        write(tmp, "cmdline", "polydesk.slot=a\n");
        Files.delete(parts.resolve("polydesk-root-b"));
        assertTrue(assertThrows(InstallException.class, () -> updater().check(options())).getMessage()
                .contains("installed without a second system slot"));
        assertEquals(List.of(), machine.ran);
    }

    @Test
    void anUpdateThatFailsLeavesSlotBUnbootableAndSlotAAsItWas() throws Exception {
        Updater.Plan plan = updater().check(options());
        slots.tryNext("b", "1.5", "menuentry 'old try' {\n}\n");
        machine.failing = "mkfs.ext4";
        InstallException e = assertThrows(InstallException.class, () -> updater().update(options(), plan));
        assertTrue(e.getMessage().startsWith("update failed at step 3/7"), e.getMessage());
        assertTrue(e.getMessage().contains("System b was partly written and does not boot; the running system is untouched."));
        Map<String, String> env = GrubEnv.read(slots.env());
        assertEquals("a", env.get("default_slot"));
        assertEquals("", env.getOrDefault("next_slot", ""));
        assertFalse(Files.exists(slots.slotConfig("b")));
        assertTrue(Files.exists(slots.slotConfig("a")));
        assertTrue(machine.ran.contains(List.of("umount", work.resolve("iso").toString())));
    }
}
