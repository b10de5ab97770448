package org.polydesk.toolstack.definition;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.Display;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.rpc.Problem;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.NicPolicy;
import org.polydesk.protocol.vm.VmDefinition;

class DefinitionValidatorTest {

    static VmDefinition.Builder valid(String name, int slot) {
        return VmDefinition.builder().id(UUID.randomUUID()).name(name).slot(slot).memoryMib(2048).vcpus(2);
    }

    private static List<String> problems(VmDefinition def, VmDefinition... others) {
        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> DefinitionValidator.validate(def, List.of(others)));
        return e.problems().stream().map(Problem::problem).toList();
    }

    private static List<Problem> fields(VmDefinition def) {
        return assertThrows(InvalidDefinitionException.class, () -> DefinitionValidator.validate(def, List.of())).problems();
    }

    @Test
    void eachProblemNamesTheFieldItIsAbout() {
        VmDefinition def = VmDefinition.builder().id(UUID.randomUUID()).name(" ").slot(3).colour("red").memoryMib(64)
                .disks(List.of(new Disk("/ok.img", "raw", false, false, null), new Disk("relative.img", "raw", false, false, null)))
                .nics(List.of(new Nic("br0", "01:00:00:00:00:01"))).build();
        assertEquals(List.of(new Problem("name", "the VM needs a name"),
                new Problem("colour", "colour 'red' is not of the form #rrggbb"),
                new Problem("memoryMib", "memory 64 MiB is below the 128 MiB minimum"),
                new Problem("disks[1]", "disk 2 path 'relative.img' must be absolute"),
                new Problem("nics[0]", "network interface 1 has multicast MAC '01:00:00:00:00:01'; a NIC needs a unicast address")),
                fields(def));
    }

    @Test
    void aCompleteDefinitionPasses() {
        VmDefinition def = valid("Debian", 2)
                .disks(List.of(new Disk("/var/lib/polydesk/disks/debian.qcow2", "qcow2", false, false, "hda"),
                        new Disk("/srv/iso/debian.iso", null, true, null, null)))
                .nics(List.of(new Nic("xenbr0", "00:16:3e:12:34:56")))
                .pciDevices(List.of("0000:03:00.0")).gpu("01:00.0").firmware(Firmware.UEFI)
                .display(new Display(1920, 1080)).build();
        assertDoesNotThrow(() -> DefinitionValidator.validate(def, List.of(valid("Other", 3).build())));
    }

    @Test
    void aTakenSlotNamesTheVmThatHasIt() {
        VmDefinition windows = valid("Windows 11", 3).build();
        assertEquals(List.of("slot 3 is already used by 'Windows 11'"), problems(valid("Debian", 3).build(), windows));
    }

    @Test
    void memoryBelowTheMinimumIsExplained() {
        assertEquals(List.of("memory 64 MiB is below the 128 MiB minimum"), problems(valid("Tiny", 1).memoryMib(64).build()));
    }

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        VmDefinition def = VmDefinition.builder().id(UUID.randomUUID()).name(" ").slot(12).colour("red")
                .vcpus(0).memoryMib(64).build();
        List<String> p = problems(def);
        assertEquals(5, p.size(), p.toString());
        assertTrue(p.contains("the VM needs a name"));
        assertTrue(p.contains("slot 12 is outside 1–9 (slot 0 belongs to the control UI)"));
        assertTrue(p.contains("colour 'red' is not of the form #rrggbb"));
        assertTrue(p.contains("vcpus 0 is outside 1–128"));
    }

    @Test
    void namesAreUniqueRegardlessOfCase() {
        assertEquals(List.of("name 'debian' is already used by another VM"),
                problems(valid("debian", 1).build(), valid("Debian", 2).build()));
    }

    @Test
    void aGpuBelongsToOneVm() {
        VmDefinition gaming = valid("Gaming", 1).gpu("0000:01:00.0").build();
        assertEquals(List.of("GPU 0000:01:00.0 is already assigned to 'Gaming'"),
                problems(valid("Work", 2).gpu("01:00.0").build(), gaming));
        assertEquals(List.of("PCI device 0000:03:00.0 is already assigned to 'Gaming'"),
                problems(valid("Work", 2).pciDevices(List.of("03:00.0")).build(),
                        valid("Gaming", 1).pciDevices(List.of("0000:03:00.0")).build()));
    }

    @Test
    void disksNicsAndPciAreChecked() {
        VmDefinition def = valid("Bad", 1)
                .disks(List.of(new Disk("relative.img", "vmdk", false, false, "hda"),
                        new Disk("/a.img", "raw", false, false, "hda")))
                .nics(List.of(new Nic("a-bridge-name-too-long", "01:00:00:00:00:01")))
                .pciDevices(List.of("1:0.0"))
                .build();
        assertEquals(List.of(
                "disk 1 path 'relative.img' must be absolute",
                "disk 1 has format 'vmdk'; use one of qcow2, raw, vhd",
                "disk 2 uses device name 'hda' a second time",
                "network interface 1 needs a network (like default) or a host bridge name of 1–15 letters, digits, '.', '_' or '-'",
                "network interface 1 has multicast MAC '01:00:00:00:00:01'; a NIC needs a unicast address",
                "PCI device '1:0.0' is not an address like 0000:01:00.0"), problems(def));
    }

    @Test
    void anAllowedListGoesWithPolicyAllowedOnAPolydeskdNetworkAndEachEntryReads() {
        Nic allowed = Nic.on("default").withPolicy(NicPolicy.ALLOWED);
        assertDoesNotThrow(() -> DefinitionValidator.validate(valid("A", 1).nics(List.of(
                allowed.withAllowed(List.of("192.168.1.10:443/tcp", "10.20.0.0/16", "198.51.100.7:53")))).build(), List.of()));
        assertEquals(List.of(new Problem("nics[0].allowed", "network interface 1 has policy allowed but nothing allowed; list"
                + " what it may reach, like 192.168.1.10:443/tcp")), fields(valid("A", 1).nics(List.of(allowed)).build()));
        assertEquals(List.of(new Problem("nics[0].allowed", "network interface 1 has an allowed list, which only policy allowed"
                + " uses (its policy is internet-only)")), fields(valid("A", 1).nics(List.of(Nic.on("default")
                .withPolicy(NicPolicy.INTERNET_ONLY).withAllowed(List.of("10.0.0.1")))).build()));
        assertEquals(List.of(
                new Problem("nics[0].allowed[0]", "network interface 1: '192.168.1.300': 300 is not an address byte (0–255)"),
                new Problem("nics[0].allowed[1]", "network interface 1: '10.0.0.0/33': prefix /33 must be from 1 to 32"),
                new Problem("nics[0].allowed[2]", "network interface 1: '10.0.0.1:70000': port 70000 must be from 1 to 65535"),
                new Problem("nics[0].allowed[3]", "network interface 1: 'example.com:443' is not HOST[/LEN][:PORT[/tcp|/udp]],"
                        + " like 192.168.1.10:443/tcp or 10.20.0.0/16")),
                fields(valid("A", 1).nics(List.of(allowed.withAllowed(List.of("192.168.1.300", "10.0.0.0/33", "10.0.0.1:70000",
                        "example.com:443")))).build()));
        assertEquals(List.of(new Problem("nics[0]", "network interface 1 has policy allowed, which polydeskd enforces only on"
                + " its own networks, not on host bridge 'br0'")), fields(valid("A", 1).nics(List.of(new Nic("br0", null)
                .withPolicy(NicPolicy.ALLOWED).withAllowed(List.of("10.0.0.1")))).build()));
    }

    @Test
    void bootRulesFollowTheGuestType() {
        assertEquals(List.of("firmware uefi needs type hvm, but the type is pvh"),
                problems(valid("P", 1).type(GuestType.PVH).firmware(Firmware.UEFI).kernel("/boot/vmlinuz").build()));
        assertEquals(List.of("a pv guest needs a kernel or a bootloader"), problems(valid("P", 1).type(GuestType.PV).build()));
        assertDoesNotThrow(() -> DefinitionValidator.validate(
                valid("P", 1).type(GuestType.PV).bootloader("pygrub").build(), List.of()));
    }

    @Test
    void aVmIsNotInTheWayOfItself() {
        VmDefinition def = valid("Self", 4).build();
        assertDoesNotThrow(() -> DefinitionValidator.validate(def, List.of(def)));
    }
}
