package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionPlanTest {
    static final long GIB = 1024L * 1024 * 1024;

    @Test
    void smallDiskGetsTwoMinimumRootsAndTheRestForVms() throws Exception {
        PartitionPlan plan = PartitionPlan.forDisk("/dev/vdb", 16 * GIB);
        assertEquals(5, plan.partitions().size());
        assertEquals("EF02", plan.byNumber(1).typeCode());
        assertEquals(1, plan.byNumber(1).startMib());
        assertEquals("EF00", plan.esp().typeCode());
        assertEquals(PartitionPlan.ESP_MIB, plan.esp().sizeMib());
        assertEquals(PartitionPlan.ROOT_MIN_MIB, plan.root().sizeMib());
        assertEquals("/", plan.root().mountPoint());
        assertEquals("polydesk-root-a", plan.root().label());
        assertEquals(PartitionPlan.ROOT_MIN_MIB, plan.rootB().sizeMib());
        assertEquals("polydesk-root-b", plan.rootB().name());
        assertEquals(PartitionPlan.Filesystem.NONE, plan.rootB().filesystem(), "slot b is written by the first update");
        assertEquals(16 * 1024 - 1 - 1 - 1 - 256 - 2 * 6 * 1024, plan.vmStorage().sizeMib());
        assertEquals(PartitionPlan.VM_STORAGE_MOUNT, plan.vmStorage().mountPoint());
    }

    @Test
    void partitionsAreContiguousAndEndBeforeTheBackupGpt() throws Exception {
        for (long gib : List.of(15L, 16L, 64L, 500L, 4000L)) {
            PartitionPlan plan = PartitionPlan.forDisk("/dev/sda", gib * GIB);
            long at = 1;
            for (PartitionPlan.Partition p : plan.partitions()) {
                assertEquals(at, p.startMib(), gib + " GiB, partition " + p.number());
                assertTrue(p.sizeMib() > 0);
                at = p.endMib();
            }
            assertEquals(gib * 1024 - 1, at, "the last MiB stays free for the backup GPT");
        }
    }

    @Test
    void eachRootIsAnEighthOfTheDiskWithinItsBounds() throws Exception {
        assertEquals(8 * 1024, PartitionPlan.forDisk("/dev/sda", 64 * GIB).root().sizeMib());
        assertEquals(8 * 1024, PartitionPlan.forDisk("/dev/sda", 64 * GIB).rootB().sizeMib());
        assertEquals(PartitionPlan.ROOT_MAX_MIB, PartitionPlan.forDisk("/dev/sda", 500 * GIB).root().sizeMib());
    }

    @Test
    void tooSmallADiskIsRefusedSayingHowMuchIsNeeded() {
        InstallException e = assertThrows(InstallException.class, () -> PartitionPlan.forDisk("/dev/sdb", 12 * GIB));
        assertTrue(e.getMessage().contains("/dev/sdb is too small: 12.0 GiB"), e.getMessage());
        assertTrue(e.getMessage().contains("at least " + PartitionPlan.human(PartitionPlan.minimumDiskMib())), e.getMessage());
    }

    @Test
    void labelsFitTheirFileSystems() {
        assertTrue(PartitionPlan.ESP_LABEL.length() <= 11, "mkfs.vfat refuses labels over 11 characters");
        assertTrue(BootSlots.label("a").length() <= 16 && PartitionPlan.VMS_LABEL.length() <= 16, "ext4: 16");
    }

    @Test
    void partitionDeviceNames() {
        assertEquals("/dev/sda3", PartitionPlan.partitionDevice("/dev/sda", 3));
        assertEquals("/dev/vdb1", PartitionPlan.partitionDevice("/dev/vdb", 1));
        assertEquals("/dev/nvme0n1p2", PartitionPlan.partitionDevice("/dev/nvme0n1", 2));
        assertEquals("/dev/mmcblk0p4", PartitionPlan.partitionDevice("/dev/mmcblk0", 4));
    }

    @Test
    void sgdiskCommandWritesThePlan() throws Exception {
        PartitionPlan plan = PartitionPlan.forDisk("/dev/vdb", 16 * GIB);
        assertEquals(List.of("sgdisk",
                "--new=1:1M:+1M", "--typecode=1:EF02", "--change-name=1:polydesk-bios",
                "--new=2:2M:+256M", "--typecode=2:EF00", "--change-name=2:polydesk-efi",
                "--new=3:258M:+6144M", "--typecode=3:8300", "--change-name=3:polydesk-root-a",
                "--new=4:6402M:+6144M", "--typecode=4:8300", "--change-name=4:polydesk-root-b",
                "--new=5:12546M:0", "--typecode=5:8300", "--change-name=5:polydesk-vms",
                "/dev/vdb"), plan.sgdiskCommand());
    }

    @Test
    void describeNamesEveryPartition() throws Exception {
        String d = PartitionPlan.forDisk("/dev/nvme0n1", 64 * GIB).describe();
        assertTrue(d.startsWith("/dev/nvme0n1, 64.0 GiB, GPT:"), d);
        assertTrue(d.contains("/dev/nvme0n1p2") && d.contains("EFI system") && d.contains("/boot/efi"), d);
        assertTrue(d.contains("/dev/nvme0n1p3") && d.contains("dom0 root a, ext4"), d);
        assertTrue(d.contains("/dev/nvme0n1p4") && d.contains("dom0 root b (updates)"), d);
        assertTrue(d.contains("/dev/nvme0n1p5") && d.contains("VM store, ext4     /var/lib/polydesk"), d);
    }
}
