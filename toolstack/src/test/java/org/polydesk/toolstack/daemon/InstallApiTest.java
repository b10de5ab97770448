package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.install.InstallDisk;
import org.polydesk.protocol.install.InstallProgress;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.ToolstackApi.InstallAdmin;
import org.polydesk.protocol.toolstack.ToolstackApi.InstallStart;
import org.polydesk.protocol.toolstack.ToolstackApi.InstallStarted;
import org.polydesk.toolstack.install.Installer;

/**
 * install.disks and install.start against a real polydeskd whose installer sees a made-up machine
 * ({@link SimulatedMachine}: booted from sr0) and runs the real installer code; the disk tools are
 * simulated, the copy of the live system is a real cp into a directory, and the files the installer
 * writes are read back.
 */
class InstallApiTest {
    static final long GIB = 1024L * 1024 * 1024;

    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;
    SimulatedMachine tools;

    @BeforeEach
    void start() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("daemon"), "--simulated-machine", tmp.toString(),
                "--simulated-delay-ms", "0");
        tools = polydeskd.machine();
    }

    @AfterEach
    void stop() {
        polydeskd.close();
    }

    String dev(String name) {
        return tools.dev(name);
    }

    static InstallStart startParams(String disk, boolean force, String admin, String password) {
        return startParams(disk, force, admin, password, null);
    }

    static InstallStart startParams(String disk, boolean force, String admin, String password, String timeZone) {
        return startParams(disk, force, admin, password, timeZone, null, null);
    }

    static InstallStart startParams(String disk, boolean force, String admin, String password, String timeZone,
                                    String keyboardLayout, String keyboardVariant) {
        return new InstallStart(disk, force, new InstallAdmin(admin, password), null, timeZone, keyboardLayout,
                keyboardVariant);
    }

    /** The progress notifications up to and including the final one. */
    static List<InstallProgress> follow(RpcClient rpc) throws Exception {
        List<InstallProgress> seen = new ArrayList<>();
        while (true) {
            RpcMessage m = rpc.nextNotification();
            assertTrue(m != null, "polydeskd closed the connection during the install; seen: " + seen);
            assertTrue(ToolstackApi.INSTALL_PROGRESS.matches(m), m.method());
            InstallProgress p = ToolstackApi.INSTALL_PROGRESS.decode(m);
            seen.add(p);
            if (p.isFinal()) {
                return seen;
            }
        }
    }

    @Test
    void disksAreListedWithWhyTheyAreRefusedOrWhatTheyWouldErase() throws Exception {
        List<InstallDisk> disks = polydeskd.call(ToolstackApi.INSTALL_DISKS);
        assertEquals(List.of(dev("sda"), dev("sr0"), dev("vdb"), dev("vdc"), dev("vde")),
                disks.stream().map(InstallDisk::path).toList(), "loop devices are not disks");

        InstallDisk sda = disks.get(0);
        assertEquals(64 * GIB, sda.sizeBytes());
        assertEquals("QEMU HARDDISK", sda.model());
        assertEquals(List.of(), sda.refused());
        assertEquals(dev("sda") + " has partitions (sda1, sda2); everything on it would be lost", sda.erases().get(0));
        assertTrue(disks.get(1).refused().get(0).contains("is the disk Polydesk is running from"), disks.get(1).toString());
        assertEquals(0, disks.get(2).refused().size() + disks.get(2).erases().size(),
                "the empty disk is a candidate: " + disks.get(2));
        assertTrue(disks.get(3).refused().get(0).contains("is too small"), disks.get(3).toString());
    }

    @Test
    void theBootDiskAPartitionedDiskAndABadAdministratorAreRefusedAtOnce() throws Exception {
        try (RpcClient rpc = polydeskd.connect()) {
            RpcClient.CallException boot = assertThrows(RpcClient.CallException.class,
                    () -> rpc.call(ToolstackApi.INSTALL_START, startParams(dev("sr0"), true, "admin", "secret")));
            assertEquals(ErrorCode.INSTALL_REFUSED, boot.errorCode());
            assertTrue(boot.getMessage().contains("is the disk Polydesk is running from"), boot.getMessage());

            RpcClient.CallException partitioned = assertThrows(RpcClient.CallException.class,
                    () -> rpc.call(ToolstackApi.INSTALL_START, startParams(dev("sda"), false, "admin", "secret")));
            assertEquals(ErrorCode.INSTALL_REFUSED, partitioned.errorCode());
            assertTrue(partitioned.getMessage().contains("has partitions (sda1, sda2); everything on it would be lost"),
                    partitioned.getMessage());

            RpcClient.CallException name = assertThrows(RpcClient.CallException.class,
                    () -> rpc.call(ToolstackApi.INSTALL_START, startParams(dev("vdb"), false, "Root Admin", "secret")));
            assertEquals(ErrorCode.INVALID_PARAMS, name.errorCode());
            assertTrue(name.getMessage().contains("user name must be"), name.getMessage());
            RpcClient.CallException empty = assertThrows(RpcClient.CallException.class,
                    () -> rpc.call(ToolstackApi.INSTALL_START, startParams(dev("vdb"), false, "admin", "")));
            assertTrue(empty.getMessage().contains("needs a password"), empty.getMessage());
            for (String zone : List.of("Mars/Olympus_Mons", "../../etc/passwd", "posix/Europe/Berlin", "")) {
                RpcClient.CallException tz = assertThrows(RpcClient.CallException.class,
                        () -> rpc.call(ToolstackApi.INSTALL_START, startParams(dev("vdb"), false, "admin", "secret", zone)));
                assertEquals(ErrorCode.INVALID_PARAMS, tz.errorCode(), zone);
                assertTrue(tz.getMessage().contains("time zone"), tz.getMessage());
            }
            for (String layout : List.of("xx", "../de", "DE", "")) {
                RpcClient.CallException kb = assertThrows(RpcClient.CallException.class, () -> rpc.call(
                        ToolstackApi.INSTALL_START, startParams(dev("vdb"), false, "admin", "secret", null, layout, null)));
                assertEquals(ErrorCode.INVALID_PARAMS, kb.errorCode(), layout);
                assertTrue(kb.getMessage().contains("keyboard layout"), kb.getMessage());
            }
            // dvorak is a variant of us, not of de; a variant needs its layout.
            for (String[] lv : List.of(new String[] {"de", "dvorak"}, new String[] {"de", "no dead keys"},
                    new String[] {null, "nodeadkeys"})) {
                RpcClient.CallException kb = assertThrows(RpcClient.CallException.class, () -> rpc.call(
                        ToolstackApi.INSTALL_START, startParams(dev("vdb"), false, "admin", "secret", null, lv[0], lv[1])));
                assertEquals(ErrorCode.INVALID_PARAMS, kb.errorCode(), String.join(",", java.util.Arrays.asList(lv)));
                assertTrue(kb.getMessage().contains("keyboard") || kb.getMessage().contains("variant"), kb.getMessage());
            }
        }
        assertTrue(tools.ran.stream().noneMatch(c -> c.get(0).equals("sgdisk")), "nothing was written: " + tools.ran);
    }

    @Test
    void anInstallReportsEveryStepAndLeavesAnAdministratorWhoCanLogIn() throws Exception {
        try (RpcClient rpc = polydeskd.connect()) {
            InstallStarted started = rpc.call(ToolstackApi.INSTALL_START,
                    startParams(dev("vdb"), false, "admin", "s3cret pass", "Europe/Berlin", "de", "nodeadkeys"));
            assertEquals(dev("vdb"), started.disk());
            assertEquals(Installer.STEPS, started.steps());

            List<InstallProgress> seen = follow(rpc);
            InstallProgress last = seen.get(seen.size() - 1);
            assertEquals(InstallProgress.Kind.DONE, last.kind(), seen.toString());
            assertTrue(last.text().contains("log in as admin"), last.text());
            List<Integer> steps = seen.stream().filter(p -> p.kind() == InstallProgress.Kind.STEP)
                    .map(InstallProgress::step).toList();
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), steps);
            assertTrue(seen.stream().anyMatch(p -> p.text().startsWith("copying: 100%")), seen.toString());
            assertTrue(seen.stream().noneMatch(p -> p.text().contains("s3cret")), "the password is never shown");
        }
        Path target = tools.target;
        assertTrue(Files.readString(target.resolve("etc/fstab")).contains("UUID=uuid-vdb3"), "fstab names the root");
        // GRUB's menu on the ESP: slot a (this install) by default, its entries starting Xen.
        assertTrue(Files.readString(target.resolve("boot/efi/grub/grub.cfg")).contains("load_env"));
        assertTrue(Files.readString(target.resolve("boot/efi/grub/slot-a.cfg")).contains("multiboot2 /boot/xen-4.17-amd64.gz"));
        assertEquals("a", org.polydesk.toolstack.install.GrubEnv.read(target.resolve("boot/efi/grub/grubenv")).get("default_slot"));
        assertTrue(tools.ran.contains(List.of("chroot", target.toString(), "useradd", "--create-home", "--shell",
                "/bin/bash", "--comment", "Polydesk administrator", "--groups", "polydesk,sudo", "admin")), tools.ran.toString());
        assertEquals(List.of("admin:s3cret pass\n"), tools.inputs, "chpasswd gets the password on its input");
        assertEquals("Europe/Berlin\n", Files.readString(target.resolve("etc/timezone")));
        assertEquals(Path.of("/usr/share/zoneinfo/Europe/Berlin"), Files.readSymbolicLink(target.resolve("etc/localtime")));
        String keyboard = Files.readString(target.resolve("etc/default/keyboard"));
        assertTrue(keyboard.contains("XKBLAYOUT=\"de\"\n") && keyboard.contains("XKBVARIANT=\"nodeadkeys\"\n"), keyboard);
    }

    @Test
    void oneInstallAtATimeAndAFailureSaysWhereItStopped() throws Exception {
        tools.gate = new CountDownLatch(1);
        tools.failing = "mkfs.ext4";
        try (RpcClient first = polydeskd.connect(); RpcClient second = polydeskd.connect()) {
            first.call(ToolstackApi.INSTALL_START, startParams(dev("vdb"), false, "admin", "secret"));
            RpcClient.CallException busy = assertThrows(RpcClient.CallException.class,
                    () -> second.call(ToolstackApi.INSTALL_START, startParams(dev("sda"), true, "admin", "secret")));
            assertEquals(ErrorCode.WRONG_STATE, busy.errorCode());
            assertTrue(busy.getMessage().contains("an install to " + dev("vdb") + " is already running"), busy.getMessage());
            tools.gate.countDown();

            List<InstallProgress> seen = follow(first);
            InstallProgress last = seen.get(seen.size() - 1);
            assertEquals(InstallProgress.Kind.FAILED, last.kind(), seen.toString());
            assertEquals(3, last.step());
            assertTrue(last.text().startsWith("install failed at step 3/8 (making file systems): mkfs of the root failed"),
                    last.text());
            assertTrue(last.text().contains("mkfs.ext4: " + dev("vdb3") + ": Input/output error"), last.text());

            // The failed install is over: the next one may start.
            tools.failing = null;
            tools.gate = null;
            second.call(ToolstackApi.INSTALL_START, startParams(dev("sda"), true, "admin", "secret"));
            assertEquals(InstallProgress.Kind.DONE, follow(second).stream().reduce((a, b) -> b).orElseThrow().kind());
        }
        assertFalse(tools.ran.isEmpty());
    }
}
