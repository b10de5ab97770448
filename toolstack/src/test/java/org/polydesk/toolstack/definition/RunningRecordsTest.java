package org.polydesk.toolstack.definition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.VmDefinition;

/** What a running VM runs as, read back by the next daemon; a record it cannot trust is dropped. */
class RunningRecordsTest {
    private static final UUID ID = UUID.fromString("5a1e0000-0000-4000-8000-000000000031");

    @TempDir
    Path dir;

    private static VmDefinition installer() {
        return VmDefinition.builder().id(ID).name("Installer").memoryMib(512).disks(List.of(
                new Disk("/srv/disk.img", "raw", false, false, "hda"),
                new Disk(null, "raw", true, true, "hdc"),
                new Disk("/srv/tools.iso", "raw", true, true, "hdd"))).build();
    }

    @Test
    void aDiscPutInAndOneTakenOutAreReadBackWithTheDefinitionTheVmStartedWith() throws Exception {
        RunningRecords records = new RunningRecords(dir);
        Map<Integer, String> changes = new HashMap<>();
        changes.put(1, "/srv/installer.iso");
        changes.put(2, null);
        records.write(ID, new RunningRecords.Running(installer(), changes));

        RunningRecords.Running back = new RunningRecords(dir).read(ID);
        assertEquals(installer(), back.definition());
        assertEquals(changes, back.cdChanges(), "the ejected drive stays known as empty");
        VmDefinition now = back.withLiveMedia();
        assertEquals("/srv/installer.iso", now.disks().get(1).path());
        assertTrue(now.disks().get(2).empty());
        assertEquals("/srv/disk.img", now.disks().get(0).path(), "the other disks are as they were");
    }

    @Test
    void aDamagedRecordOrOneOfAnotherVmIsDroppedAndTheVmRunsItsStoredDefinition() throws Exception {
        RunningRecords records = new RunningRecords(dir);
        Files.writeString(dir.resolve(ID + ".json"), "{\"definition\": {\"name\": ");
        assertNull(records.read(ID), "a torn record");
        assertFalse(Files.exists(dir.resolve(ID + ".json")), "and it is deleted");

        UUID other = UUID.fromString("5a1e0000-0000-4000-8000-000000000032");
        records.write(ID, new RunningRecords.Running(installer(), Map.of()));
        Files.move(dir.resolve(ID + ".json"), dir.resolve(other + ".json"));
        assertNull(records.read(other), "a record that names another VM");

        records.write(ID, new RunningRecords.Running(installer(), Map.of(0, "/srv/installer.iso")));
        assertNull(records.read(ID), "a change of a drive that is not a CD drive");
    }

    @Test
    void theRecordsOfVmsThatEndedWhileNoDaemonRanAreDeleted() throws Exception {
        RunningRecords records = new RunningRecords(dir);
        UUID ended = UUID.fromString("5a1e0000-0000-4000-8000-000000000033");
        records.write(ID, new RunningRecords.Running(installer(), Map.of()));
        records.write(ended, new RunningRecords.Running(installer().withId(ended), Map.of()));
        Files.writeString(dir.resolve("notes.json"), "{}");
        records.keepOnly(Set.of(ID));
        assertTrue(Files.exists(dir.resolve(ID + ".json")));
        assertFalse(Files.exists(dir.resolve(ended + ".json")));
        assertFalse(Files.exists(dir.resolve("notes.json")));
    }
}
