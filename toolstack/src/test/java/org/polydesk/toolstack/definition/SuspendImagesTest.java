package org.polydesk.toolstack.definition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.VmDefinition;

/** A saved state the VM ran on from is set aside, kept, and no longer makes the VM suspended. */
class SuspendImagesTest {
    @TempDir
    Path tmp;

    @Test
    void aSetAsideStateIsKeptButNoLongerResumable() throws Exception {
        SuspendImages images = new SuspendImages(tmp);
        VmDefinition def = VmDefinition.builder().id(UUID.randomUUID()).name("Work").build();
        Files.writeString(images.temporaryImage(def.id()), "the guest's memory");
        images.commit(def, "qemu");
        assertTrue(images.suspended(def.id()));

        assertTrue(images.setAside(def.id()));
        assertFalse(images.suspended(def.id()), "no longer a state to resume");
        Path kept = images.imageOf(def.id()).resolveSibling(images.imageOf(def.id()).getFileName() + ".superseded");
        assertEquals("the guest's memory", Files.readString(kept), "kept, never deleted");
        assertTrue(Files.exists(images.metadataOf(def.id()).resolveSibling(images.metadataOf(def.id()).getFileName() + ".superseded")));
        assertFalse(images.setAside(def.id()), "nothing more to set aside");
    }
}
