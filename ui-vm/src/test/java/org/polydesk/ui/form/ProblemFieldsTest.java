package org.polydesk.ui.form;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemFieldsTest {
    @Test
    void eachSentenceGoesBesideItsField() {
        String message = "the VM needs a name; slot 3 is already used by 'Web'; colour 'red' is not of the form #rrggbb; "
                + "memory 64 MiB is below the 128 MiB minimum; vcpus 0 is outside 1–128; "
                + "firmware uefi needs type hvm, but the type is pv; a ramdisk needs a kernel; "
                + "network interface 1 needs a bridge name of 1–15 letters, digits, '.', '_' or '-'; "
                + "display 10x10 is outside 640x480–7680x4320";
        Map<Field, List<String>> f = ProblemFields.byField(message, 0, 0);
        assertEquals(List.of("the VM needs a name"), f.get(Field.NAME));
        assertEquals(List.of("slot 3 is already used by 'Web'"), f.get(Field.SLOT));
        assertEquals(List.of("colour 'red' is not of the form #rrggbb"), f.get(Field.COLOUR));
        assertEquals(List.of("memory 64 MiB is below the 128 MiB minimum"), f.get(Field.MEMORY));
        assertEquals(List.of("vcpus 0 is outside 1–128"), f.get(Field.VCPUS));
        assertEquals(List.of("firmware uefi needs type hvm, but the type is pv"), f.get(Field.FIRMWARE));
        assertEquals(List.of("a ramdisk needs a kernel"), f.get(Field.BOOT));
        assertEquals(1, f.get(Field.NETWORK).size());
        assertEquals(List.of("display 10x10 is outside 640x480–7680x4320"), f.get(Field.GENERAL));
    }

    @Test
    void aSentenceWithASemicolonStaysWholeAndDisksGoToDiskOrCdrom() {
        String message = "disk 1 has format 'vmdk'; use one of qcow2, raw, vhd; disk 2 path 'x.iso' must be absolute; "
                + "disk 3 has no path";
        Map<Field, List<String>> f = ProblemFields.byField(message, 1, 2);
        assertEquals(List.of("disk 1 has format 'vmdk'; use one of qcow2, raw, vhd"), f.get(Field.DISK));
        assertEquals(List.of("disk 2 path 'x.iso' must be absolute"), f.get(Field.CDROM));
        assertEquals(List.of("disk 3 has no path"), f.get(Field.GENERAL));
    }

    @Test
    void aCdromAloneIsDiskOne() {
        assertEquals(Field.CDROM, ProblemFields.fieldOf("disk 1 path 'a.iso' must be absolute", 0, 1));
    }

    @Test
    void jsonFieldErrorsByFieldName() {
        assertEquals(Field.MEMORY, ProblemFields.fieldOf("field 'memoryMib' has the wrong type (expected integer)", 0, 0));
        assertEquals(Field.FIRMWARE, ProblemFields.fieldOf("field 'firmware': 'efi' is not a valid value; use one of bios, uefi", 0, 0));
        assertEquals(Field.GENERAL, ProblemFields.fieldOf("unknown field 'colur' (known fields: colour, name)", 0, 0));
    }

    @Test
    void imageNamesAreSafeFileNames() {
        assertEquals("windows-11-pro", VmForm.imageName("  Windows 11 (Pro) "));
    }
}
