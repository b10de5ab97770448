package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layouts and variants against this machine's XKB rules (xkb-data, as on the live system). */
class KeyboardTest {
    @TempDir
    Path dir;

    @Test
    void layoutsAndTheirOwnVariantsAreTakenAsXkbNamesThem() throws Exception {
        assertEquals(new Keyboard("de", null), Keyboard.of("de", " ", Keyboard.RULES));
        assertEquals(new Keyboard("de", "nodeadkeys"), Keyboard.of("de", "nodeadkeys", Keyboard.RULES));
        assertEquals(new Keyboard("de", "T3"), Keyboard.of("de", "T3", Keyboard.RULES), "a variant with capitals");
        assertEquals("de (T3)", Keyboard.of("de", "T3", Keyboard.RULES).toString());
    }

    @Test
    void anotherLayoutsVariantAnUnknownOneAndNamesThatAreNotNamesAreRefused() {
        assertTrue(assertThrows(InstallException.class, () -> Keyboard.of("us", "T3", Keyboard.RULES)).getMessage()
                .contains("layout 'us' has no variant 'T3'"));
        assertTrue(assertThrows(InstallException.class, () -> Keyboard.of("de", "../../x", Keyboard.RULES)).getMessage()
                .contains("a keyboard variant is an XKB name"));
        assertTrue(assertThrows(InstallException.class, () -> Keyboard.of("De", null, Keyboard.RULES)).getMessage()
                .contains("a keyboard layout is an XKB name"));
        assertTrue(assertThrows(InstallException.class, () -> Keyboard.of("zz", null, Keyboard.RULES)).getMessage()
                .contains("unknown keyboard layout 'zz'"));
        assertTrue(assertThrows(InstallException.class, () -> Keyboard.of("de", null, dir.resolve("none.lst")))
                .getMessage().startsWith("cannot read the keyboard layouts"));
    }

    @Test
    void theFileIsConsoleSetupsFormatAndReplacedWhole() throws Exception {
        Files.createDirectories(dir.resolve("etc/default"));
        Files.writeString(dir.resolve("etc/default/keyboard"), "XKBLAYOUT=\"us\"\n");
        Keyboard.of("de", "nodeadkeys", Keyboard.RULES).write(dir);
        String file = Files.readString(dir.resolve("etc/default/keyboard"));
        assertTrue(file.contains("\nXKBMODEL=\"pc105\"\nXKBLAYOUT=\"de\"\nXKBVARIANT=\"nodeadkeys\"\nXKBOPTIONS=\"\"\n"), file);
        try (var listing = Files.list(dir.resolve("etc/default"))) {
            assertEquals(1, listing.count(), "no temporary file left beside it");
        }
    }
}
