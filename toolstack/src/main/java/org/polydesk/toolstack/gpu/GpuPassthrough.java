package org.polydesk.toolstack.gpu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Takes a GPU, every function of the card, from dom0 for a VM and gives it back, as
 * {@code xl pci-assignable-add} / {@code -remove} do: unbind dom0's driver, bind the passthrough
 * driver (pciback on Xen, vfio-pci for QEMU), and the reverse. When the card drives dom0's console
 * ({@code boot_vga}) the framebuffer console and the firmware framebuffer are unbound first and
 * bound again last, as OpenXCI did; before that, whoever draws on dom0's screen through it
 * ({@link ConsoleUsers}) lets go of it. The plan is stored before the first write, so a daemon that
 * crashes half way leaves a record the next one finishes from; giving back checks each device's
 * state first and may be repeated.
 */
public final class GpuPassthrough {
    private static final Logger LOG = Logger.getLogger(GpuPassthrough.class.getName());
    /** The firmware framebuffer's platform device, by the names the kernel's sysfb gives it (efifb, vesafb, simpledrm …). */
    private static final List<String> FIRMWARE_FRAMEBUFFERS = List.of("efi-framebuffer.0", "vesa-framebuffer.0",
            "vga-framebuffer.0", "ega-framebuffer.0", "platform-framebuffer.0", "simple-framebuffer.0");

    /** The driver that holds a function while a guest owns it. */
    public enum Target {
        PCIBACK("pciback", "xen-pciback"),
        VFIO("vfio-pci", "vfio-pci");

        final String driver;
        final String module;

        Target(String driver, String module) {
            this.driver = driver;
            this.module = module;
        }

        public static Target of(String driver) throws IOException {
            for (Target t : values()) {
                if (t.driver.equals(driver)) {
                    return t;
                }
            }
            throw new IOException("a hand-over record names an unknown passthrough driver '" + driver + "'");
        }
    }

    /** What the hypervisor must do before dom0 may drive a function again (Xen: end its quarantine). */
    public interface Release {
        void release(String address) throws IOException;
    }

    private final Sysfs sys;
    private final SysfsPci pci;
    private final HandoverStore store;
    private final Target target;
    private final Release release;
    private final ConsoleUsers consoleUsers;

    public GpuPassthrough(Sysfs sys, SysfsPci pci, HandoverStore store, Target target, Release release,
                          ConsoleUsers consoleUsers) {
        this.sys = sys;
        this.pci = pci;
        this.store = store;
        this.target = target;
        this.release = release;
        this.consoleUsers = consoleUsers;
    }

    /** Takes the GPU at {@code address} and its other functions for {@code vm}; on failure gives back what it took. */
    public Handover take(UUID vm, String address) throws IOException {
        for (Handover earlier : store.all()) {
            if (earlier.vm().equals(vm) || earlier.gpu().equals(address)) {
                // Its record holds the drivers dom0 had: finish that first, never write over it.
                LOG.info("GPU " + earlier.gpu() + " is not yet back from an earlier run; giving it back first");
                giveBack(earlier);
            }
        }
        PciDevice.Gpu gpu = pci.gpus().stream().filter(g -> g.device().address().equals(address)).findFirst()
                .orElseThrow(() -> new IOException("there is no display device at " + address + " on this host"));
        if (!Files.isDirectory(sys.pciDriver(target.driver))) {
            throw new IOException("the " + target.driver + " driver is not loaded (modprobe " + target.module + ")");
        }
        List<PciDevice> card = new ArrayList<>();
        card.add(gpu.device());
        card.addAll(gpu.otherFunctions());
        if (target == Target.VFIO) {
            checkIommuGroups(card);
        }
        List<Handover.Function> functions = card.stream().map(d -> new Handover.Function(d.address(), d.driver())).toList();
        List<String> vtconsoles = new ArrayList<>();
        List<Handover.Framebuffer> framebuffers = new ArrayList<>();
        if (gpu.device().bootVga()) {
            findConsole(vtconsoles, framebuffers);
        }
        Handover h = new Handover(vm, address, gpu.device().vendorId(), target.driver, functions, vtconsoles, framebuffers);
        store.save(h);
        LOG.info("GPU " + address + " for VM " + vm + ": functions " + h.addresses() + " to " + target.driver
                + (h.console() ? ", taking dom0's console off it first" : ""));
        try {
            if (gpu.device().bootVga()) {
                // Also without a bound console: the display server may have unbound it and draw itself.
                consoleUsers.leaving(vm, address);
            }
            for (String vt : vtconsoles) {
                step("unbind the framebuffer console " + vt, sys.vtconsoles().resolve(vt).resolve("bind"), "0");
            }
            for (Handover.Framebuffer fb : framebuffers) {
                step("unbind " + fb.device() + " from " + fb.driver(), sys.platformDriver(fb.driver()).resolve("unbind"),
                        fb.device());
            }
            for (Handover.Function f : functions) {
                bindToTarget(f);
            }
        } catch (IOException e) {
            try {
                giveBack(h);
            } catch (IOException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return h;
    }

    /** vfio hands whole IOMMU groups to a guest: every other member must be a bridge or without a driver. */
    private void checkIommuGroups(List<PciDevice> card) throws IOException {
        List<String> ours = card.stream().map(PciDevice::address).toList();
        for (PciDevice d : card) {
            if (d.iommuGroup() == null) {
                throw new IOException(d.address() + " is in no IOMMU group: enable the IOMMU (VT-d or AMD-Vi in the "
                        + "firmware, intel_iommu=on) to pass a GPU through");
            }
            Path members = sys.root().resolve("kernel/iommu_groups/" + d.iommuGroup() + "/devices");
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(members)) {
                for (Path m : ds) {
                    String other = m.getFileName().toString();
                    Optional<String> driver = sys.driverOf(sys.pciDevice(other));
                    boolean bridge = sys.read(sys.pciDevice(other).resolve("class")).startsWith("0x0604");
                    if (!ours.contains(other) && !bridge && driver.isPresent() && !driver.get().equals(target.driver)) {
                        throw new IOException(d.address() + " shares IOMMU group " + d.iommuGroup() + " with " + other
                                + " (driver " + driver.get() + "), which would have to go to the guest as well");
                    }
                }
            }
        }
    }

    private void findConsole(List<String> vtconsoles, List<Handover.Framebuffer> framebuffers) throws IOException {
        if (Files.isDirectory(sys.vtconsoles())) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(sys.vtconsoles(), "vtcon*")) {
                for (Path vt : ds) {
                    // "(M) frame buffer device" is fbcon; "(S) dummy device" stays.
                    if (sys.read(vt.resolve("name")).contains("frame buffer") && sys.read(vt.resolve("bind")).equals("1")) {
                        vtconsoles.add(vt.getFileName().toString());
                    }
                }
            }
        }
        vtconsoles.sort(null);
        for (String fb : FIRMWARE_FRAMEBUFFERS) {
            Optional<String> driver = Files.isDirectory(sys.platformDevice(fb)) ? sys.driverOf(sys.platformDevice(fb))
                    : Optional.empty();
            driver.ifPresent(d -> framebuffers.add(new Handover.Framebuffer(fb, d)));
        }
    }

    private void bindToTarget(Handover.Function f) throws IOException {
        String a = f.address();
        Path dev = sys.pciDevice(a);
        Optional<String> now = sys.driverOf(dev);
        if (now.isPresent() && now.get().equals(target.driver)) {
            LOG.info(a + ": already bound to " + target.driver);
            return;
        }
        if (target == Target.VFIO) {
            step(a + ": only vfio-pci may bind it", dev.resolve("driver_override"), target.driver);
        }
        if (now.isPresent()) {
            step(a + ": unbind from " + now.get(), sys.pciDriver(now.get()).resolve("unbind"), a);
        }
        if (target == Target.PCIBACK && !pcibackSlots().contains(a)) {
            // pciback binds only the devices in its slot list (libxl does the same).
            step(a + ": add a pciback slot", sys.pciDriver(target.driver).resolve("new_slot"), a);
        }
        step(a + ": bind to " + target.driver, sys.pciDriver(target.driver).resolve("bind"), a);
        Optional<String> after = sys.driverOf(dev);
        if (after.isEmpty() || !after.get().equals(target.driver)) {
            throw new IOException(a + " is bound to " + after.orElse("no driver") + " after binding it to " + target.driver);
        }
    }

    private List<String> pcibackSlots() throws IOException {
        Path slots = sys.pciDriver(Target.PCIBACK.driver).resolve("slots");
        return Files.exists(slots) ? sys.read(slots).lines().map(String::strip).toList() : List.of();
    }

    /** Gives back what the record of {@code vm} says was taken; without a record there is nothing to do. */
    public void giveBack(UUID vm) throws IOException {
        for (Handover h : store.all()) {
            if (h.vm().equals(vm)) {
                giveBack(h);
            }
        }
    }

    /** Gives back every recorded GPU whose VM is not among {@code running}: they ended while no daemon watched. */
    public void recover(Collection<UUID> running) {
        try {
            for (Handover h : store.all()) {
                if (!running.contains(h.vm())) {
                    LOG.info("VM " + h.vm() + " ended while polydeskd was away; giving its GPU " + h.gpu() + " back");
                    try {
                        giveBack(h);
                    } catch (IOException e) {
                        LOG.severe("cannot give GPU " + h.gpu() + " back to dom0: " + e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.severe("cannot read the GPU hand-over records: " + e.getMessage());
        }
    }

    /** The reverse of take, in reverse order; every step is tried, and the record stays until all succeeded. */
    public void giveBack(Handover h) throws IOException {
        Target from = Target.of(h.target());
        List<String> failures = new ArrayList<>();
        for (Handover.Function f : h.functions()) {
            try {
                returnFunction(f, from);
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        for (Handover.Framebuffer fb : h.framebuffers()) {
            try {
                if (sys.driverOf(sys.platformDevice(fb.device())).isEmpty()) {
                    step("bind " + fb.device() + " to " + fb.driver() + " again", sys.platformDriver(fb.driver()).resolve("bind"),
                            fb.device());
                }
            } catch (IOException e) {
                failures.add(fb.device() + ": " + e.getMessage());
            }
        }
        for (String vt : h.vtconsoles()) {
            try {
                step("bind the framebuffer console " + vt + " again", sys.vtconsoles().resolve(vt).resolve("bind"), "1");
            } catch (IOException e) {
                failures.add(vt + ": " + e.getMessage());
            }
        }
        if (h.console() || drivesDom0Screen(h.gpu())) {
            consoleUsers.back(h.vm(), h.gpu()); // also after a failure: they retry opening it
        }
        if (!failures.isEmpty()) {
            throw new IOException("GPU " + h.gpu() + " is not fully back with dom0 (the record " + store.fileOf(h.vm())
                    + " stays for the next try): " + String.join("; ", failures));
        }
        store.delete(h.vm());
        LOG.info("GPU " + h.gpu() + " is back with dom0" + (h.console() ? ", and so is the console" : ""));
    }

    private boolean drivesDom0Screen(String address) {
        try {
            return pci.gpus().stream().anyMatch(g -> g.device().address().equals(address) && g.device().bootVga());
        } catch (IOException e) {
            return true; // telling the users once too often costs them a retry
        }
    }

    private void returnFunction(Handover.Function f, Target from) throws IOException {
        String a = f.address();
        Path dev = sys.pciDevice(a);
        if (!Files.isDirectory(dev)) {
            throw new IOException(a + " has gone from " + sys.pciDevices());
        }
        if (from.driver.equals(f.originalDriver())) {
            LOG.info(a + ": was " + from.driver + "'s before the VM took it, and stays so");
            return;
        }
        if (from == Target.PCIBACK) {
            release.release(a);
        }
        Optional<String> now = sys.driverOf(dev);
        if (now.isPresent() && now.get().equals(from.driver)) {
            step(a + ": unbind from " + from.driver, sys.pciDriver(from.driver).resolve("unbind"), a);
        }
        if (from == Target.PCIBACK && pcibackSlots().contains(a)) {
            step(a + ": remove its pciback slot", sys.pciDriver(from.driver).resolve("remove_slot"), a);
        }
        if (from == Target.VFIO && Files.exists(dev.resolve("driver_override"))
                && sys.read(dev.resolve("driver_override")).equals(from.driver)) {
            step(a + ": clear driver_override", dev.resolve("driver_override"), "\n");
        }
        if (f.originalDriver() != null && sys.driverOf(dev).isEmpty()) {
            if (Files.isDirectory(sys.pciDriver(f.originalDriver()))) {
                step(a + ": bind to " + f.originalDriver() + " again", sys.pciDriver(f.originalDriver()).resolve("bind"), a);
            } else {
                step(a + ": " + f.originalDriver() + " is not loaded; let the kernel probe", sys.root().resolve("bus/pci/drivers_probe"), a);
            }
        }
    }

    private void step(String what, Path file, String value) throws IOException {
        LOG.info(what);
        try {
            sys.write(file, value);
        } catch (IOException e) {
            throw new IOException(what + " failed (" + file + "): " + e.getMessage(), e);
        }
    }
}
