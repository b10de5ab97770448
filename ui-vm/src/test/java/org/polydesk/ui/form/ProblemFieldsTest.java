package org.polydesk.ui.form;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.rpc.Problem;

class ProblemFieldsTest {
    @Test
    void eachProblemGoesBesideItsField() {
        Map<Field, List<String>> f = ProblemFields.byField(List.of(
                new Problem("definition.name", "the VM needs a name"),
                new Problem("definition.slot", "slot 3 is already used by 'Web'"),
                new Problem("definition.colour", "colour 'red' is not of the form #rrggbb"),
                new Problem("definition.memoryMib", "memory 64 MiB is below the 128 MiB minimum"),
                new Problem("definition.vcpus", "vcpus 0 is outside 1–128"),
                new Problem("definition.firmware", "firmware uefi needs type hvm, but the type is pv"),
                new Problem("definition.ramdisk", "a ramdisk needs a kernel"),
                new Problem("definition.nics[0]", "network interface 1 needs a bridge name"),
                new Problem("definition.display", "display 10x10 is outside 640x480–7680x4320"),
                new Problem("", "the whole request")), 0, 0);
        assertEquals(List.of("the VM needs a name"), f.get(Field.NAME));
        assertEquals(List.of("slot 3 is already used by 'Web'"), f.get(Field.SLOT));
        assertEquals(List.of("colour 'red' is not of the form #rrggbb"), f.get(Field.COLOUR));
        assertEquals(List.of("memory 64 MiB is below the 128 MiB minimum"), f.get(Field.MEMORY));
        assertEquals(List.of("vcpus 0 is outside 1–128"), f.get(Field.VCPUS));
        assertEquals(List.of("firmware uefi needs type hvm, but the type is pv"), f.get(Field.FIRMWARE));
        assertEquals(List.of("a ramdisk needs a kernel"), f.get(Field.BOOT));
        assertEquals(List.of("network interface 1 needs a bridge name"), f.get(Field.NETWORK));
        assertEquals(List.of("display 10x10 is outside 640x480–7680x4320", "the whole request"), f.get(Field.GENERAL));
    }

    @Test
    void disksGoToTheDiskOrTheCdromTheFormSent() {
        assertEquals(Field.DISK, ProblemFields.fieldOf("definition.disks[0]", 1, 2));
        assertEquals(Field.CDROM, ProblemFields.fieldOf("definition.disks[1]", 1, 2));
        assertEquals(Field.GENERAL, ProblemFields.fieldOf("definition.disks[2]", 1, 2));
        assertEquals(Field.CDROM, ProblemFields.fieldOf("definition.disks[0]", 0, 1), "a CD-ROM alone is disk 1");
    }

    @Test
    void decodingErrorsGoByTheirPath() {
        assertEquals(Field.MEMORY, ProblemFields.fieldOf("definition.memoryMib", 0, 0));
        assertEquals(Field.GENERAL, ProblemFields.fieldOf("definition.colur", 0, 0));
        assertEquals(Field.GENERAL, ProblemFields.fieldOf("definition", 0, 0));
    }
}
