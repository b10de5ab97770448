package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refusals, on a made-up sysfs: what a person sees when the installer says no. */
class DiskChecksTest {
    static final long GIB = 1024L * 1024 * 1024;
    /** A live system booted from the ISO on sr0, with an installed Debian on sda. */
    static final String LIVE_MOUNTS = """
            overlay / overlay rw,noatime 0 0
            /dev/sr0 /run/live/medium iso9660 ro,noatime 0 0
            /dev/loop0 /run/live/rootfs/filesystem.squashfs squashfs ro,noatime 0 0
            /dev/sdb1 /media/usb\\040stick vfat rw 0 0
            tmpfs /run tmpfs rw 0 0
            """;

    @TempDir
    Path tmp;
    FakeSys fake;
    BlockDevices devices;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeSys(tmp).disk("sr0", 900L << 20).disk("loop0", 800L << 20)
                .disk("vdb", 16 * GIB).disk("sda", 256 * GIB, "sda1", "sda2").disk("sdb", 16 * GIB, "sdb1")
                .disk("vdc", 4 * GIB).disk("vdd", 20 * GIB);
        devices = fake.devices(LIVE_MOUNTS);
    }

    PartitionPlan check(String disk, boolean force, String... signatures) throws InstallException {
        return DiskChecks.check(devices.disk(fake.dev.resolve(disk).toString()), devices.bootDisks(),
                devices.disksInUse(), List.of(signatures), force);
    }

    @Test
    void anEmptyDiskIsAccepted() throws Exception {
        PartitionPlan plan = check("vdb", false);
        assertEquals(fake.dev.resolve("vdb").toString(), plan.disk());
        assertEquals(16 * 1024, plan.diskMib());
    }

    @Test
    void theBootMediumIsFoundAndRefusedEvenWithForce() {
        assertEquals(Set.of("sr0"), devices.bootDisks());
        InstallException e = assertThrows(InstallException.class, () -> check("sr0", true));
        assertTrue(e.getMessage().contains("is the disk Polydesk is running from (mounted at /run/live/medium)"),
                e.getMessage());
    }

    @Test
    void anInstalledRootIsABootDisk() throws Exception {
        BlockDevices installed = fake.devices("/dev/sda2 / ext4 rw 0 0\n/dev/sda1 /boot/efi vfat rw 0 0\n");
        assertEquals(Set.of("sda"), installed.bootDisks());
        InstallException e = assertThrows(InstallException.class, () -> DiskChecks.check(
                installed.disk(fake.dev.resolve("sda").toString()), installed.bootDisks(), installed.disksInUse(),
                List.of(), true));
        assertTrue(e.getMessage().contains("is the disk Polydesk is running from (mounted at /, /boot/efi)"),
                e.getMessage());
    }

    @Test
    void aDiskWithPartitionsNeedsForce() throws Exception {
        InstallException e = assertThrows(InstallException.class, () -> check("sda", false, "gpt"));
        assertTrue(e.getMessage().contains("has partitions (sda1, sda2); everything on it would be lost: add --force"),
                e.getMessage());
        assertEquals(5, check("sda", true, "gpt").partitions().size());
    }

    @Test
    void aWholeDiskFileSystemNeedsForceToo() throws Exception {
        InstallException e = assertThrows(InstallException.class, () -> check("vdd", false, "ext4"));
        assertTrue(e.getMessage().contains("holds data (ext4)"), e.getMessage());
        check("vdd", true, "ext4");
    }

    @Test
    void aMountedDiskIsRefusedEvenWithForce() {
        assertEquals(Map.of("sdb", Set.of("/media/usb stick")), Map.of("sdb", devices.disksInUse().get("sdb")));
        InstallException e = assertThrows(InstallException.class, () -> check("sdb", true));
        assertTrue(e.getMessage().contains("is in use: mounted at /media/usb stick; unmount it first"), e.getMessage());
    }

    @Test
    void everyReasonIsGivenAtOnce() throws Exception {
        fake.readOnly("vdc");
        InstallException e = assertThrows(InstallException.class, () -> check("vdc", false, "dos"));
        String m = e.getMessage();
        assertTrue(m.startsWith("will not install to " + fake.dev.resolve("vdc") + ":"), m);
        assertTrue(m.contains("is read-only"), m);
        assertTrue(m.contains("holds data (dos)"), m);
        assertTrue(m.contains("is too small: 4096 MiB"), m);
    }

    @Test
    void aPartitionOrANonDeviceIsNotADisk() throws Exception {
        InstallException part = assertThrows(InstallException.class, () -> devices.disk(fake.dev.resolve("sda1").toString()));
        assertTrue(part.getMessage().contains("is a partition; give the whole disk (for example /dev/sda)"),
                part.getMessage());
        InstallException none = assertThrows(InstallException.class, () -> devices.disk(fake.dev.resolve("sdz").toString()));
        assertTrue(none.getMessage().contains("is not a block device"), none.getMessage());
        InstallException outside = assertThrows(InstallException.class, () -> devices.disk("/tmp/disk.img"));
        assertTrue(outside.getMessage().contains("is not a device under /dev"), outside.getMessage());
    }

    @Test
    void byIdLinksAreFollowed() throws Exception {
        Files.createDirectories(fake.dev.resolve("disk/by-id"));
        Files.createSymbolicLink(fake.dev.resolve("disk/by-id/virtio-polydesk"), fake.dev.resolve("vdb"));
        BlockDevices.Disk d = devices.disk(fake.dev.resolve("disk/by-id/virtio-polydesk").toString());
        assertEquals("vdb", d.name());
        assertEquals(16 * GIB, d.sizeBytes());
        assertEquals("QEMU HARDDISK", d.model());
    }
}
