package org.polydesk.toolstack.definition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.VmDefinition;

class VmStoreTest {
    @TempDir
    Path dir;

    @Test
    void savedDefinitionsLoadBackInSlotOrder() throws Exception {
        VmStore store = new VmStore(dir);
        VmDefinition b = DefinitionValidatorTest.valid("B", 7).build();
        VmDefinition a = DefinitionValidatorTest.valid("A", 2).build();
        store.save(b);
        store.save(a);
        VmStore.Contents c = new VmStore(dir).load();
        assertEquals(List.of(a, b), c.definitions());
        assertTrue(c.problems().isEmpty());
    }

    @Test
    void aCorruptFileIsReportedByNameAndLeftUntouched() throws Exception {
        VmStore store = new VmStore(dir);
        VmDefinition good = DefinitionValidatorTest.valid("Good", 1).build();
        store.save(good);
        Path bad = dir.resolve(UUID.randomUUID() + ".json");
        Files.writeString(bad, "{\"name\":\"half");
        VmStore.Contents c = store.load();
        assertEquals(List.of(good), c.definitions());
        assertEquals(1, c.problems().size());
        assertEquals(bad, c.problems().get(0).file());
        assertTrue(c.problems().get(0).reason().startsWith("is corrupt"), c.problems().get(0).reason());
        assertEquals("{\"name\":\"half", Files.readString(bad));
    }

    @Test
    void aFileWhoseIdDoesNotMatchItsNameIsNotTrusted() throws Exception {
        VmDefinition def = DefinitionValidatorTest.valid("Moved", 1).build();
        Path other = dir.resolve(UUID.randomUUID() + ".json");
        Files.writeString(other, DefinitionJson.write(def));
        VmStore.Contents c = new VmStore(dir).load();
        assertTrue(c.definitions().isEmpty());
        assertTrue(c.problems().get(0).reason().startsWith("holds id " + def.id()), c.problems().get(0).reason());
    }

    @Test
    void leftoverTemporaryFilesOfDeadWritesAreRemoved() throws Exception {
        VmStore store = new VmStore(dir);
        VmDefinition def = DefinitionValidatorTest.valid("Kept", 1).build();
        store.save(def);
        Files.writeString(dir.resolve(".tmp-" + def.id() + "-x"), "{\"trunc");
        assertEquals(List.of(def), store.load().definitions());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(store.fileOf(def.id())), files.toList());
        }
    }

    @Test
    void deleteRemovesTheFile() throws Exception {
        VmStore store = new VmStore(dir);
        VmDefinition def = DefinitionValidatorTest.valid("Gone", 1).build();
        store.save(def);
        store.delete(def.id());
        assertFalse(Files.exists(store.fileOf(def.id())));
        assertTrue(store.load().definitions().isEmpty());
    }
}
