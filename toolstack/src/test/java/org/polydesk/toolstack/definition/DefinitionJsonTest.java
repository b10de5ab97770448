package org.polydesk.toolstack.definition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.VmDefinition;

class DefinitionJsonTest {

    @Test
    void leftOutFieldsGetTheirDefaults() throws Exception {
        VmDefinition def = DefinitionJson.read("{\"name\":\"Debian\",\"slot\":2}");
        assertEquals(GuestType.HVM, def.type());
        assertEquals(Firmware.BIOS, def.firmware());
        assertEquals(1024, def.memoryMib());
        assertEquals(1024, def.display().width());
        assertTrue(def.disks().isEmpty());
    }

    @Test
    void anUnknownFieldIsRefusedAndNamed() {
        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> DefinitionJson.read("{\"name\":\"x\",\"memroy\":512}"));
        assertTrue(e.getMessage().startsWith("unknown field 'memroy' (known fields: "), e.getMessage());
        assertTrue(e.getMessage().contains("memoryMib"), e.getMessage());
    }

    @Test
    void anUnknownFieldInsideAListIsNamedWithItsPath() {
        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> DefinitionJson.read("{\"disks\":[{\"path\":\"/a\",\"size\":3}]}"));
        assertTrue(e.getMessage().startsWith("unknown field 'disks[0].size'"), e.getMessage());
    }

    @Test
    void aBadEnumValueListsTheGoodOnes() {
        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> DefinitionJson.read("{\"type\":\"kvm\"}"));
        assertEquals("field 'type': 'kvm' is not a valid value; use one of hvm, pvh, pv", e.getMessage());
    }

    @Test
    void aWrongTypeIsNamed() {
        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> DefinitionJson.read("{\"memoryMib\":[1]}"));
        assertEquals("field 'memoryMib' has the wrong type (expected a number)", e.getMessage());
    }

    @Test
    void writeThenReadGivesTheSameDefinition() throws Exception {
        VmDefinition def = DefinitionValidatorTest.valid("Round trip", 5).kernel("/k").cmdline("console=ttyS0").build();
        assertEquals(def, DefinitionJson.read(DefinitionJson.write(def)));
    }
}
