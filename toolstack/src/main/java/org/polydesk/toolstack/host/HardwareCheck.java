package org.polydesk.toolstack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.polydesk.protocol.toolstack.HostCheck;
import org.polydesk.protocol.toolstack.HostCheck.Display;
import org.polydesk.protocol.toolstack.HostCheck.Finding;
import org.polydesk.protocol.toolstack.HostCheck.Status;
import org.polydesk.protocol.toolstack.HostCheck.Verdict;
import org.polydesk.toolstack.gpu.PciDevice;
import org.polydesk.toolstack.gpu.Sysfs;
import org.polydesk.toolstack.gpu.SysfsPci;
import org.polydesk.toolstack.process.BoundedCommand;

/**
 * Whether this machine can run Polydesk's VMs and pass a GPU through, read from where each fact
 * lives. Under Xen (dom0), Xen's own report: {@code xl info} (its {@code virt_caps}: {@code hvm}
 * for VT-x/AMD-V, {@code hvm_directio} for an IOMMU it uses; its memory) and {@code xl dmesg}
 * (the IOMMU and interrupt remapping lines), since dom0's kernel sees neither the CPU's
 * virtualisation flags nor the IOMMU. Without Xen, the kernel's: {@code /proc/cpuinfo}'s vmx/svm,
 * {@code /sys/class/iommu}, {@code IR-} interrupts in {@code /proc/interrupts}, {@code
 * /proc/meminfo}. Each display controller from sysfs: its card's other functions and its IOMMU
 * group (what goes with it), the kernel's {@code reset_method}, whether it drives dom0's screen,
 * and the monitors connected to it (its DRM card's connectors).
 */
public final class HardwareCheck {
    /** Below this a desktop of several VMs is cramped (dom0 takes 2 GiB of it). */
    static final long ENOUGH_MIB = 8192;
    private static final Pattern INTREMAP = Pattern.compile("(?i)interrupt remapping (enabled|disabled)");
    private static final Pattern IO_VIRT = Pattern.compile("I/O virtualisation (enabled|disabled)");

    private final Path proc;
    private final Sysfs sys;
    private final SysfsPci pci;
    private final String xl;

    /** {@code proc}: /proc; {@code xl}: the xl command (a path in tests). */
    public HardwareCheck(Path proc, Sysfs sys, SysfsPci pci, String xl) {
        this.proc = proc;
        this.sys = sys;
        this.pci = pci;
        this.xl = xl;
    }

    /** This machine's: /proc, /sys, the PCI names Debian ships, and the xl on the PATH. */
    public static HardwareCheck system() {
        Sysfs sys = new Sysfs(Sysfs.DEFAULT_ROOT);
        return new HardwareCheck(Path.of("/proc"), sys,
                new SysfsPci(sys.pciDevices(), org.polydesk.toolstack.gpu.PciIds.load(org.polydesk.toolstack.gpu.PciIds.DEFAULT_FILE)), "xl");
    }

    public HostCheck check() throws IOException {
        boolean xen = Files.isReadable(proc.resolve("xen/capabilities"))
                && Files.readString(proc.resolve("xen/capabilities")).contains("control_d");
        Map<String, String> info = xen ? xlInfo() : Map.of();
        String dmesg = xen ? run(xl, "dmesg") : "";
        List<Finding> host = new ArrayList<>();
        host.add(cpu(xen, info));
        host.add(xen ? new Finding(HostCheck.XEN, Status.OK, "Xen " + info.getOrDefault("xen_version", "?")
                + ", this is its dom0") : new Finding(HostCheck.XEN, Status.MISSING, "not running under Xen (no control_d in "
                + proc.resolve("xen/capabilities") + "): VMs run on the QEMU backend"));
        Finding iommu = iommu(xen, info, dmesg);
        host.add(iommu);
        host.add(interruptRemapping(xen, dmesg, iommu.status() == Status.OK));
        host.add(memory(xen, info));
        List<Display> displays = new ArrayList<>();
        for (PciDevice.Gpu gpu : pci.gpus()) {
            displays.add(display(gpu, iommu, host.get(3)));
        }
        return new HostCheck(host, displays);
    }

    private Finding cpu(boolean xen, Map<String, String> info) throws IOException {
        if (xen) {
            List<String> caps = List.of(info.getOrDefault("virt_caps", "").split("\\s+"));
            return caps.contains("hvm") ? new Finding(HostCheck.CPU, Status.OK, "Xen runs HVM guests (VT-x/AMD-V on)")
                    : new Finding(HostCheck.CPU, Status.MISSING, "Xen cannot run HVM guests (virt_caps: "
                    + info.getOrDefault("virt_caps", "none") + "): VT-x/AMD-V is off in the firmware or absent");
        }
        String flags = Files.readAllLines(proc.resolve("cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                .findFirst().orElse("");
        List<String> f = List.of(flags.replaceFirst("^flags\\s*:", "").strip().split("\\s+"));
        return f.contains("vmx") ? new Finding(HostCheck.CPU, Status.OK, "VT-x (vmx)")
                : f.contains("svm") ? new Finding(HostCheck.CPU, Status.OK, "AMD-V (svm)")
                : new Finding(HostCheck.CPU, Status.MISSING, "the CPU shows neither vmx nor svm: VT-x/AMD-V is off in the"
                + " firmware, absent, or hidden by a hypervisor below");
    }

    private Finding iommu(boolean xen, Map<String, String> info, String dmesg) throws IOException {
        if (xen) {
            if (List.of(info.getOrDefault("virt_caps", "").split("\\s+")).contains("hvm_directio")) {
                return new Finding(HostCheck.IOMMU, Status.OK, "Xen uses it (hvm_directio)"
                        + vendorOf(dmesg));
            }
            Matcher m = IO_VIRT.matcher(dmesg);
            return new Finding(HostCheck.IOMMU, Status.MISSING, "Xen runs without one (" + (m.find() ? "its log: \""
                    + m.group() + "\"" : "no hvm_directio in virt_caps") + "): VT-d/AMD-Vi is off in the firmware or absent,"
                    + " so no device can be passed through");
        }
        Path iommus = sys.root().resolve("class/iommu");
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(iommus)) {
            try (Stream<Path> s = Files.list(iommus)) {
                s.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
            }
        }
        return names.isEmpty() ? new Finding(HostCheck.IOMMU, Status.MISSING, "the kernel has none (" + iommus
                + " is empty): VT-d/AMD-Vi is off in the firmware, absent, or not enabled (intel_iommu=on)")
                : new Finding(HostCheck.IOMMU, Status.OK, "the kernel's: " + String.join(", ", names));
    }

    private static String vendorOf(String dmesg) {
        return dmesg.contains("Intel VT-d") ? "; Intel VT-d" : dmesg.contains("AMD-Vi") ? "; AMD-Vi" : "";
    }

    private Finding interruptRemapping(boolean xen, String dmesg, boolean iommu) throws IOException {
        if (!iommu) {
            return new Finding(HostCheck.INTERRUPT_REMAPPING, Status.MISSING, "needs an IOMMU, and there is none");
        }
        boolean on;
        String where;
        if (xen) {
            Matcher m = INTREMAP.matcher(dmesg);
            on = false;
            String last = null;
            while (m.find()) {
                last = m.group();
                on = m.group(1).equalsIgnoreCase("enabled");
            }
            where = last == null ? "Xen's log does not say" : "Xen's log: \"" + last + "\"";
        } else {
            on = Files.readString(proc.resolve("interrupts")).contains("IR-");
            where = on ? "remapped interrupts (IR-) in " + proc.resolve("interrupts") : "no remapped interrupt in "
                    + proc.resolve("interrupts");
        }
        return on ? new Finding(HostCheck.INTERRUPT_REMAPPING, Status.OK, where)
                : new Finding(HostCheck.INTERRUPT_REMAPPING, Status.CAVEAT, where + ": a passed-through device's"
                + " interrupts are not isolated from the rest of the machine");
    }

    private Finding memory(boolean xen, Map<String, String> info) throws IOException {
        long total;
        long free;
        if (xen) {
            total = number(info.get("total_memory"));
            free = number(info.get("free_memory"));
        } else {
            Map<String, Long> m = new LinkedHashMap<>();
            for (String l : Files.readAllLines(proc.resolve("meminfo"))) {
                String[] p = l.split(":\\s*");
                if (p.length == 2) {
                    m.put(p[0], number(p[1].replace(" kB", "")) / 1024);
                }
            }
            total = m.getOrDefault("MemTotal", 0L);
            free = m.getOrDefault("MemAvailable", 0L);
        }
        String detail = String.format(Locale.ROOT, "%,d MiB, %,d MiB free", total, free);
        return total >= ENOUGH_MIB ? new Finding(HostCheck.MEMORY, Status.OK, detail)
                : new Finding(HostCheck.MEMORY, Status.CAVEAT, detail + ": less than " + ENOUGH_MIB / 1024
                + " GiB leaves little for VMs beside dom0's 2 GiB");
    }

    private Display display(PciDevice.Gpu gpu, Finding iommu, Finding intremap) throws IOException {
        PciDevice d = gpu.device();
        List<String> card = gpu.otherFunctions().stream().map(PciDevice::address).toList();
        List<String> passedWith = new ArrayList<>(card);
        List<String> groupOthers = new ArrayList<>();
        if (d.iommuGroup() != null) {
            Path members = sys.root().resolve("kernel/iommu_groups/" + d.iommuGroup() + "/devices");
            if (Files.isDirectory(members)) {
                try (Stream<Path> s = Files.list(members)) {
                    s.map(p -> p.getFileName().toString()).sorted()
                            .filter(a -> !a.equals(d.address()) && !card.contains(a)).forEach(groupOthers::add);
                }
            }
        }
        passedWith.addAll(groupOthers);
        Path methodsFile = sys.pciDevice(d.address()).resolve("reset_method");
        List<String> methods = Files.isReadable(methodsFile)
                ? List.of(Files.readString(methodsFile).strip().split("\\s+")).stream().filter(m -> !m.isEmpty()).toList()
                : List.of();
        List<String> blockers = new ArrayList<>();
        List<String> caveats = new ArrayList<>();
        if (iommu.status() != Status.OK) {
            blockers.add("no IOMMU: " + iommu.detail());
        }
        if (methods.isEmpty()) {
            blockers.add("it has no reset method the kernel knows (no reset_method): it cannot be reset between"
                    + " one VM and the next");
        } else if (!methods.contains("flr") && !methods.contains("af_flr")) {
            caveats.add("no function-level reset: it resets by " + String.join(", ", methods)
                    + (methods.contains("bus") ? " (a bus reset resets everything behind its bridge)" : ""));
        }
        if (iommu.status() == Status.OK && intremap.status() != Status.OK) {
            caveats.add("interrupt remapping is off: " + intremap.detail());
        }
        if (!groupOthers.isEmpty()) {
            caveats.add("its IOMMU group holds devices of other cards (" + String.join(", ", groupOthers)
                    + "), which must go to the VM with it");
        }
        if (d.bootVga()) {
            caveats.add("it drives dom0's screen now: when its VM starts, polydeskd hands dom0's console over and the"
                    + " control UI is seen only through the VM's viewer");
        }
        Verdict verdict = !blockers.isEmpty() ? Verdict.NOT_ASSIGNABLE
                : caveats.isEmpty() ? Verdict.ASSIGNABLE : Verdict.ASSIGNABLE_WITH_CAVEATS;
        List<String> reasons = new ArrayList<>(blockers);
        reasons.addAll(caveats);
        return new Display(d.address(), gpu.vendor(), gpu.name(), d.driver(), d.bootVga(), d.iommuGroup(), passedWith,
                methods, verdict, reasons, monitors(d.address()));
    }

    /**
     * The monitors connected to the controller at {@code address}: the connectors of the DRM card
     * its driver made (drm/cardN/cardN-NAME: status, modes with the preferred first, the EDID's
     * size in cm at bytes 21 and 22). None without a KMS driver.
     */
    private List<HostCheck.Monitor> monitors(String address) throws IOException {
        Path drm = sys.pciDevice(address).resolve("drm");
        List<HostCheck.Monitor> out = new ArrayList<>();
        if (!Files.isDirectory(drm)) {
            return out;
        }
        List<Path> cards;
        try (Stream<Path> s = Files.list(drm)) {
            cards = s.filter(p -> p.getFileName().toString().matches("card\\d+")).sorted().toList();
        }
        for (Path card : cards) {
            List<Path> connectors;
            try (Stream<Path> s = Files.list(card)) {
                connectors = s.filter(p -> p.getFileName().toString().startsWith(card.getFileName() + "-")).sorted().toList();
            }
            for (Path c : connectors) {
                Path status = c.resolve("status");
                if (!Files.isReadable(status) || !Files.readString(status).strip().equals("connected")) {
                    continue;
                }
                Path modesFile = c.resolve("modes");
                List<String> modes = Files.isReadable(modesFile) ? Files.readAllLines(modesFile) : List.of();
                Path edidFile = c.resolve("edid");
                byte[] edid = Files.isReadable(edidFile) ? Files.readAllBytes(edidFile) : new byte[0];
                boolean sized = edid.length >= 128 && (edid[21] & 0xFF) > 0 && (edid[22] & 0xFF) > 0;
                out.add(new HostCheck.Monitor(c.getFileName().toString().substring(card.getFileName().toString().length() + 1),
                        modes.isEmpty() ? null : modes.get(0).strip(), sized ? (edid[21] & 0xFF) * 10 : null,
                        sized ? (edid[22] & 0xFF) * 10 : null));
            }
        }
        return out;
    }

    private Map<String, String> xlInfo() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : run(xl, "info").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return out;
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String run(String... cmd) throws IOException {
        BoundedCommand.Result r;
        try {
            r = BoundedCommand.run(List.of(cmd), null, Duration.ofSeconds(30));
        } catch (BoundedCommand.Failure e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.output().strip());
        }
        return r.output();
    }
}
