package org.polydesk.protocol.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.rpc.Json;

class OsProfileTest {
    private static final VmDefinition BASE = VmDefinition.builder().name("x").colour("#102030")
            .disks(List.of(new Disk("/srv/x.qcow2", "qcow2", false, false, "hda"), new Disk("/srv/x.iso", null, true, null, null)))
            .nics(List.of(new Nic("br0", "00:16:3e:00:00:01"))).kernel("/boot/k").build();

    @Test
    void windows11FillsWhatItsInstallerChecksAndKeepsTheRest() {
        VmDefinition w = OsProfile.WIN11.applyTo(BASE);
        assertEquals(OsProfile.WIN11, w.os());
        assertEquals(GuestType.HVM, w.type());
        assertEquals(Firmware.UEFI, w.firmware());
        assertTrue(w.secureBoot() && w.tpm() && w.usbTablet() && w.rtcLocalTime());
        assertEquals(HypervFeature.WINDOWS, w.hyperv());
        assertEquals(List.of(BootDevice.CDROM, BootDevice.DISK), w.boot(), "CD first until installed");
        assertEquals(4096, w.memoryMib());
        assertEquals(DiskBus.SATA, w.disks().get(0).bus());
        assertNull(w.disks().get(1).bus(), "a CD-ROM keeps the default bus (always SATA)");
        assertEquals(NicModel.E1000, w.nics().get(0).model());
        assertEquals("00:16:3e:00:00:01", w.nics().get(0).mac());
        assertEquals("#102030", w.colour());
        assertEquals("/boot/k", w.kernel());
    }

    @Test
    void switchingProfileReplacesTheFilledSettingsAndTheyStayEditable() {
        VmDefinition linux = OsProfile.LINUX.applyTo(OsProfile.WIN11.applyTo(BASE));
        assertFalse(linux.secureBoot() || linux.tpm() || linux.rtcLocalTime());
        assertEquals(List.of(), linux.hyperv());
        assertEquals(Firmware.BIOS, linux.firmware());
        assertEquals(DiskBus.VIRTIO, linux.disks().get(0).bus());
        assertEquals(NicModel.VIRTIO, linux.nics().get(0).model());
        VmDefinition edited = linux.toBuilder().memoryMib(512).usbTablet(false).build();
        assertEquals(512, edited.memoryMib());
        assertEquals(OsProfile.LINUX, edited.os());
    }

    @Test
    void theSettingsCrossTheWireByTheirNames() throws Exception {
        VmDefinition w = OsProfile.WIN10.applyTo(BASE);
        String json = Json.mapper().writeValueAsString(w);
        assertTrue(json.contains("\"os\":\"win10\""), json);
        assertTrue(json.contains("\"hyperv\":[\"base\",\"freq\""), json);
        assertTrue(json.contains("\"boot\":[\"cdrom\",\"disk\"]"), json);
        assertTrue(json.contains("\"bus\":\"sata\"") && json.contains("\"model\":\"e1000\""), json);
        assertEquals(w, Json.mapper().readValue(json, VmDefinition.class));
        VmDefinition old = Json.mapper().readValue("{\"name\":\"old\",\"disks\":[{\"path\":\"/a\"}],\"nics\":[{\"bridge\":\"b\"}]}",
                VmDefinition.class);
        assertNull(old.os());
        assertFalse(old.tpm());
        assertNull(old.disks().get(0).bus(), "a definition from before the profiles keeps the backend defaults");
    }
}
