package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptors libxl saves to and restores from, opened through the real libc. */
class SavedStateFileTest {
    @TempDir
    Path tmp;

    @Test
    void aNewSavedStateIsCreatedEmptyForItsOwnerAlone() throws Exception {
        Path image = tmp.resolve("vm.img");
        try (SavedStateFile file = SavedStateFile.create(image)) {
            assertTrue(file.fd() > 2, "a descriptor of its own: " + file.fd());
            file.sync();
        }
        assertEquals(0, Files.size(image));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(image)));

        Files.write(image, new byte[] {1, 2, 3}); // an earlier attempt's leftover
        try (SavedStateFile file = SavedStateFile.create(image)) {
            file.sync();
        }
        assertEquals(0, Files.size(image), "what was there is cut away");
    }

    @Test
    void aSavedStateIsOpenedForReadingAndLeftAsItWas() throws Exception {
        Path image = tmp.resolve("vm.img");
        Files.write(image, new byte[] {7, 8, 9});
        try (SavedStateFile file = SavedStateFile.open(image)) {
            assertTrue(file.fd() > 2);
        }
        assertArrayEquals(new byte[] {7, 8, 9}, Files.readAllBytes(image));
    }

    @Test
    void aSavedStateThatIsNotThereIsSaidSo() {
        Path gone = tmp.resolve("gone.img");
        LibxlException e = assertThrows(LibxlException.class, () -> SavedStateFile.open(gone));
        assertEquals("cannot read the saved state " + gone + ": No such file or directory (errno 2)", e.getMessage());
    }

    @Test
    void aSavedStateThatCannotBeCreatedIsSaidSo() {
        Path nowhere = tmp.resolve("no-such-dir/vm.img");
        LibxlException e = assertThrows(LibxlException.class, () -> SavedStateFile.create(nowhere));
        assertEquals("cannot create the saved state " + nowhere + ": No such file or directory (errno 2)", e.getMessage());
    }
}
