package org.polydesk.toolstack.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.HostCheck;
import org.polydesk.protocol.toolstack.HostCheck.Display;
import org.polydesk.protocol.toolstack.HostCheck.Status;
import org.polydesk.protocol.toolstack.HostCheck.Verdict;
import org.polydesk.testsupport.SysfsTree;
import org.polydesk.toolstack.gpu.PciIds;
import org.polydesk.toolstack.gpu.Sysfs;
import org.polydesk.toolstack.gpu.SysfsPci;

/**
 * The hardware check on machines laid out as trees (a sysfs, a /proc and, under Xen, an xl that
 * answers as Xen 4.17's does), and once on this very machine, where each finding is compared with
 * what the test reads itself.
 */
class HardwareCheckTest {
    private static final String XL_INFO = """
            host                   : pc
            release                : 6.1.0-57-amd64
            total_memory           : 32686
            free_memory            : 28000
            xen_version            : 4.17.5
            virt_caps              : pv hvm %s hap shadow
            """;

    @TempDir
    Path tmp;

    private Path proc(String cpuFlags, String interrupts, boolean xen) throws Exception {
        Path proc = Files.createDirectories(tmp.resolve("proc"));
        Files.writeString(proc.resolve("cpuinfo"), "processor\t: 0\nflags\t\t: fpu sse2 " + cpuFlags + " lm\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:        4038000 kB\nMemAvailable:    3000000 kB\n");
        Files.writeString(proc.resolve("interrupts"), interrupts);
        if (xen) {
            Files.writeString(Files.createDirectories(proc.resolve("xen")).resolve("capabilities"), "control_d\n");
        }
        return proc;
    }

    /** An xl that answers info and dmesg as Xen does on the machine described. */
    private String xl(String virtCaps, String dmesg) throws Exception {
        Path info = tmp.resolve("xl-info");
        Files.writeString(info, XL_INFO.formatted(virtCaps));
        Path log = tmp.resolve("xl-dmesg");
        Files.writeString(log, dmesg);
        Path xl = tmp.resolve("xl");
        Files.writeString(xl, "#!/bin/sh\ncase \"$1\" in info) cat " + info + " ;; dmesg) cat " + log
                + " ;; *) exit 1 ;; esac\n");
        Files.setPosixFilePermissions(xl, PosixFilePermissions.fromString("rwx------"));
        return xl.toString();
    }

    /** An integrated GPU driving dom0's screen (FLR) and a discrete card with its HDMI audio (bus reset only). */
    private SysfsTree twoGpus() throws Exception {
        SysfsTree sys = new SysfsTree(tmp.resolve("sys"));
        sys.function("0000:00:02.0", null, 0x030000, 0x8086, 0x4680, "i915").bootVga("0000:00:02.0", true)
                .reset("0000:00:02.0", "flr bus");
        sys.function("0000:00:01.0", null, 0x060400, 0x8086, 0x460d, "pcieport");
        sys.function("0000:01:00.0", "0000:00:01.0", 0x030000, 0x1002, 0x73bf, "amdgpu").bootVga("0000:01:00.0", false)
                .reset("0000:01:00.0", "bus");
        sys.function("0000:01:00.1", "0000:00:01.0", 0x040300, 0x1002, 0xab28, "snd_hda_intel");
        // the laptop's panel and nothing on its HDMI port; the discrete card drives a 4K monitor
        sys.drmConnector("0000:00:02.0", "card1", "eDP-1", true, "1920x1080 1600x900", 34, 19)
                .drmConnector("0000:00:02.0", "card1", "HDMI-A-1", false, "", 0, 0)
                .drmConnector("0000:01:00.0", "card0", "DP-1", true, "3840x2160 2560x1440 1920x1080", 60, 34)
                .drmConnector("0000:01:00.0", "card0", "DP-2", true, "1024x768", 0, 0);
        return sys;
    }

    private HostCheck check(SysfsTree sys, Path proc, String xl) throws Exception {
        Sysfs s = new Sysfs(tmp.resolve("sys"));
        return new HardwareCheck(proc, s, new SysfsPci(s.pciDevices(), PciIds.load(tmp.resolve("none"))), xl).check();
    }

    private static Map<String, HostCheck.Finding> findings(HostCheck c) {
        return c.host().stream().collect(Collectors.toMap(HostCheck.Finding::name, Function.identity()));
    }

    private static Display display(HostCheck c, String address) {
        return c.displays().stream().filter(d -> d.address().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void underXenWithAnIommuAndInterruptRemappingTheCardsAreAssignableWithWhatTheyNeed() throws Exception {
        HostCheck c = check(twoGpus(), proc("", "", true), xl("hvm_directio",
                "(XEN) Intel VT-d iommu 0 supported page sizes: 4kB, 2MB, 1GB\n(XEN) Intel VT-d Interrupt Remapping enabled.\n"
                        + "(XEN) I/O virtualisation enabled\n"));
        Map<String, HostCheck.Finding> f = findings(c);
        assertEquals(List.of(HostCheck.CPU, HostCheck.XEN, HostCheck.IOMMU, HostCheck.INTERRUPT_REMAPPING, HostCheck.MEMORY),
                c.host().stream().map(HostCheck.Finding::name).toList());
        assertEquals(Status.OK, f.get(HostCheck.CPU).status(), "dom0 sees no vmx/svm: Xen's virt_caps says hvm");
        assertEquals("Xen 4.17.5, this is its dom0", f.get(HostCheck.XEN).detail());
        assertEquals(Status.OK, f.get(HostCheck.IOMMU).status());
        assertTrue(f.get(HostCheck.IOMMU).detail().contains("Intel VT-d"), f.get(HostCheck.IOMMU).detail());
        assertEquals(Status.OK, f.get(HostCheck.INTERRUPT_REMAPPING).status());
        assertEquals("32,686 MiB, 28,000 MiB free", f.get(HostCheck.MEMORY).detail(), "Xen's memory, not dom0's 4 GiB");

        Display discrete = display(c, "0000:01:00.0");
        assertEquals(List.of("0000:01:00.1"), discrete.passedWith(), "its HDMI audio goes with it");
        assertEquals(List.of("bus"), discrete.resetMethods());
        assertEquals(Verdict.ASSIGNABLE_WITH_CAVEATS, discrete.verdict());
        assertTrue(discrete.reasons().get(0).contains("no function-level reset"), discrete.reasons().toString());
        Display integrated = display(c, "0000:00:02.0");
        assertEquals(Verdict.ASSIGNABLE_WITH_CAVEATS, integrated.verdict());
        assertTrue(integrated.reasons().get(0).contains("drives dom0's screen"), integrated.reasons().toString());

        // the monitors on each: connected ones only, the preferred mode, the EDID's size
        assertEquals(List.of(new HostCheck.Monitor("eDP-1", "1920x1080", 340, 190)), integrated.monitors());
        assertEquals(List.of(new HostCheck.Monitor("DP-1", "3840x2160", 600, 340), new HostCheck.Monitor("DP-2", "1024x768", null, null)),
                discrete.monitors());
        assertEquals("DP-1 3840x2160, 600x340 mm", discrete.monitors().get(0).describe());
        assertEquals("DP-2 1024x768", discrete.monitors().get(1).describe());
    }

    @Test
    void aCardNoKmsDriverHasShowsNoMonitors() throws Exception {
        SysfsTree sys = new SysfsTree(tmp.resolve("sys"));
        sys.function("0000:00:02.0", null, 0x030000, 0x8086, 0x4680, "i915").bootVga("0000:00:02.0", true)
                .reset("0000:00:02.0", "flr");
        sys.function("0000:01:00.0", null, 0x030000, 0x1002, 0x73bf, "vfio-pci").reset("0000:01:00.0", "flr");
        HostCheck c = check(sys, proc("", "", true), xl("hvm_directio", "(XEN) I/O virtualisation enabled\n"));
        assertEquals(List.of(), display(c, "0000:01:00.0").monitors(), "bound to vfio-pci: no DRM card, no monitors");
        assertEquals(List.of(), display(c, "0000:00:02.0").monitors(), "no connector connected");
    }

    @Test
    void underXenWithoutAnIommuNothingIsAssignableAndTheReasonIsSaid() throws Exception {
        SysfsTree sys = new SysfsTree(tmp.resolve("sys"));
        sys.function("0000:00:02.0", null, 0x030000, 0x1234, 0x1111, "bochs-drm").reset("0000:00:02.0", "flr");
        HostCheck c = check(sys, proc("", "", true), xl("", "(XEN) I/O virtualisation disabled\n"));
        HostCheck.Finding iommu = findings(c).get(HostCheck.IOMMU);
        assertEquals(Status.MISSING, iommu.status());
        assertTrue(iommu.detail().contains("\"I/O virtualisation disabled\""), iommu.detail());
        assertEquals(Status.MISSING, findings(c).get(HostCheck.INTERRUPT_REMAPPING).status());
        Display d = display(c, "0000:00:02.0");
        assertEquals(Verdict.NOT_ASSIGNABLE, d.verdict());
        assertTrue(d.reasons().get(0).startsWith("no IOMMU"), d.reasons().toString());
    }

    @Test
    void interruptRemappingOffIsACaveatAndACardWithoutResetIsNotAssignable() throws Exception {
        SysfsTree sys = new SysfsTree(tmp.resolve("sys"));
        sys.function("0000:03:00.0", null, 0x030000, 0x10de, 0x2484, "nouveau");
        HostCheck c = check(sys, proc("", "", true), xl("hvm_directio",
                "(XEN) AMD-Vi: IOMMU 0 Enabled.\n(XEN) Interrupt remapping disabled\n"));
        assertEquals(Status.CAVEAT, findings(c).get(HostCheck.INTERRUPT_REMAPPING).status());
        Display d = display(c, "0000:03:00.0");
        assertEquals(Verdict.NOT_ASSIGNABLE, d.verdict());
        assertTrue(d.reasons().get(0).contains("no reset method"), d.reasons().toString());
        assertTrue(d.reasons().get(1).contains("interrupt remapping is off"), d.reasons().toString());
    }

    @Test
    void withoutXenTheKernelsViewAndTheIommuGroup() throws Exception {
        SysfsTree sys = twoGpus();
        Files.createDirectories(tmp.resolve("sys/class/iommu/dmar0"));
        sys.iommuGroup("0000:01:00.0", 12).iommuGroup("0000:01:00.1", 12).iommuGroup("0000:00:01.0", 12)
                .iommuGroup("0000:00:02.0", 2);
        sys.reset("0000:01:00.0", "flr bus");
        HostCheck c = check(sys, proc("vmx", "  24:  0  IR-PCI-MSI 32768-edge  i915\n", false), "/nonexistent/xl");
        Map<String, HostCheck.Finding> f = findings(c);
        assertEquals("VT-x (vmx)", f.get(HostCheck.CPU).detail());
        assertEquals(Status.MISSING, f.get(HostCheck.XEN).status());
        assertEquals("the kernel's: dmar0", f.get(HostCheck.IOMMU).detail());
        assertEquals(Status.OK, f.get(HostCheck.INTERRUPT_REMAPPING).status());
        assertEquals(Status.CAVEAT, f.get(HostCheck.MEMORY).status(), "3.9 GiB is little: " + f.get(HostCheck.MEMORY));
        Display discrete = display(c, "0000:01:00.0");
        assertEquals(12, discrete.iommuGroup());
        assertEquals(List.of("0000:01:00.1", "0000:00:01.0"), discrete.passedWith(), "its audio, then its group's bridge");
        assertEquals(Verdict.ASSIGNABLE_WITH_CAVEATS, discrete.verdict());
        assertTrue(discrete.reasons().get(0).contains("IOMMU group holds devices of other cards (0000:00:01.0)"),
                discrete.reasons().toString());
    }

    @Test
    void thisMachineAsItsOwnFilesSayIt() throws Exception {
        Sysfs s = new Sysfs(Sysfs.DEFAULT_ROOT);
        HostCheck c = new HardwareCheck(Path.of("/proc"), s, new SysfsPci(s.pciDevices(), PciIds.load(PciIds.DEFAULT_FILE)),
                "xl").check();
        Map<String, HostCheck.Finding> f = findings(c);
        boolean xen = Files.exists(Path.of("/proc/xen/capabilities"))
                && Files.readString(Path.of("/proc/xen/capabilities")).contains("control_d");
        assertEquals(xen ? Status.OK : Status.MISSING, f.get(HostCheck.XEN).status());
        if (!xen) {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                    .findFirst().orElse("");
            boolean virt = flags.matches(".*\\b(vmx|svm)\\b.*");
            assertEquals(virt ? Status.OK : Status.MISSING, f.get(HostCheck.CPU).status(), flags);
            boolean iommu = Files.isDirectory(Path.of("/sys/class/iommu"))
                    && Files.list(Path.of("/sys/class/iommu")).findAny().isPresent();
            assertEquals(iommu ? Status.OK : Status.MISSING, f.get(HostCheck.IOMMU).status());
        }
        long displays;
        try (var devices = Files.list(Path.of("/sys/bus/pci/devices"))) {
            displays = devices.filter(d -> {
                try {
                    return Files.readString(d.resolve("class")).strip().startsWith("0x03");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).count();
        }
        assertEquals(displays, c.displays().size(), "every display controller of this machine is judged");
    }
}
