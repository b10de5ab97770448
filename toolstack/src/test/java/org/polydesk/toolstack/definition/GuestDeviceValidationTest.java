package org.polydesk.toolstack.definition;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicModel;
import org.polydesk.protocol.vm.OsProfile;
import org.polydesk.protocol.vm.VmDefinition;

/** The rules of the Windows-ready settings: what only an HVM guest has, and what needs what. */
class GuestDeviceValidationTest {
    private static VmDefinition.Builder vm() {
        return VmDefinition.builder().id(UUID.randomUUID()).name("W").slot(1)
                .disks(List.of(new Disk("/srv/w.qcow2", "qcow2", false, false, null), new Disk("/srv/w.iso", null, true, null, null)))
                .nics(List.of(new Nic("xenbr0", null)));
    }

    private static List<Problem> problems(VmDefinition def) {
        return assertThrows(InvalidDefinitionException.class, () -> DefinitionValidator.validate(def, List.of())).problems();
    }

    @ParameterizedTest
    @EnumSource(OsProfile.class)
    void everyProfileGivesAValidDefinition(OsProfile profile) {
        assertDoesNotThrow(() -> DefinitionValidator.validate(profile.applyTo(vm().build()), List.of()));
    }

    @Test
    void secureBootNeedsUefi() {
        VmDefinition def = OsProfile.WIN11.applyTo(vm().build()).toBuilder().firmware(Firmware.BIOS).build();
        assertEquals(List.of(new Problem("secureBoot", "Secure Boot needs firmware uefi, but the firmware is bios")), problems(def));
    }

    @Test
    void aPvGuestHasNoTpmTabletHypervBootOrderSataOrEmulatedNic() {
        VmDefinition def = OsProfile.WIN11.applyTo(vm().build()).toBuilder().type(GuestType.PV).firmware(Firmware.BIOS)
                .secureBoot(false).kernel("/boot/vmlinuz").build();
        String notHvm = "; the type is pv, and only hvm guests have emulated devices";
        assertEquals(List.of(new Problem("tpm", "a TPM needs an hvm guest" + notHvm),
                new Problem("usbTablet", "a USB tablet needs an hvm guest" + notHvm),
                new Problem("boot", "a boot order needs an hvm guest; a pv guest boots its kernel or bootloader"),
                new Problem("hyperv", "Hyper-V enlightenments need an hvm guest" + notHvm),
                new Problem("disks[0]", "disk 1 is on the sata bus" + notHvm + "; use virtio"),
                new Problem("nics[0]", "network interface 1 is an emulated e1000" + notHvm + "; use virtio (the PV interface)")),
                problems(def));
    }

    @Test
    void hypervGroupsNeedBaseAndTheTimersNeedSynicAndTheReferenceCounter() {
        assertEquals(List.of(new Problem("hyperv", "Hyper-V groups [freq] need the base group (Xen refuses them without it)")),
                problems(vm().hyperv(List.of(HypervFeature.FREQ)).build()));
        assertEquals(List.of(new Problem("hyperv", "Hyper-V group stimer needs synic and time_ref_count"
                        + " (the synthetic timers signal through the SynIC and count the reference time)")),
                problems(vm().hyperv(List.of(HypervFeature.BASE, HypervFeature.STIMER)).build()));
        assertEquals(List.of(new Problem("hyperv", "a Hyper-V group is listed twice")),
                problems(vm().hyperv(List.of(HypervFeature.BASE, HypervFeature.BASE)).build()));
    }

    @Test
    void sixDisksFitTheSataControllerASeventhGoesOnVirtio() {
        List<Disk> six = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            six.add(new Disk("/srv/d" + i + ".img", null, false, null, null));
        }
        six.add(new Disk("/srv/w.iso", null, true, null, null));
        assertDoesNotThrow(() -> DefinitionValidator.validate(vm().disks(six).build(), List.of()));
        List<Disk> seven = new java.util.ArrayList<>(six);
        seven.add(new Disk("/srv/d6.img", null, false, null, null, org.polydesk.protocol.vm.DiskBus.SATA));
        assertEquals(List.of(new Problem("disks", "7 disks (CD-ROMs included) are on the sata bus, whose controller has 6"
                + " ports; put the others on virtio")), problems(vm().disks(seven).build()));
        seven.set(6, seven.get(6).withBus(org.polydesk.protocol.vm.DiskBus.VIRTIO));
        assertDoesNotThrow(() -> DefinitionValidator.validate(vm().disks(seven).build(), List.of()));
    }

    @Test
    void theBootOrderNamesEachDeviceOnceAndNetworkOnlyWithANic() {
        assertEquals(List.of(new Problem("boot", "boot order [disk, disk] names a device twice")),
                problems(vm().boot(List.of(BootDevice.DISK, BootDevice.DISK)).build()));
        assertEquals(List.of(new Problem("boot", "boot order names network, but the VM has no network interface")),
                problems(vm().nics(List.of()).boot(List.of(BootDevice.NETWORK)).build()));
    }

    @Test
    void aCdRomIsNeverOnVirtio() {
        VmDefinition def = vm().disks(List.of(new Disk("/srv/w.iso", "raw", true, true, null, DiskBus.VIRTIO))).build();
        assertEquals(List.of(new Problem("disks[0]", "disk 1 is a CD-ROM, which is always on the sata bus, not virtio")),
                problems(def));
    }

    @Test
    void aVirtioNicIsFineOnAPvGuest() {
        VmDefinition def = vm().type(GuestType.PVH).kernel("/boot/vmlinuz").disks(List.of())
                .nics(List.of(new Nic("xenbr0", null, NicModel.VIRTIO))).build();
        assertDoesNotThrow(() -> DefinitionValidator.validate(def, List.of()));
    }
}
