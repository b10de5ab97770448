package org.polydesk.toolstack.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Resets a function of a passed-through GPU more thoroughly than FLR, which most GPUs survive with
 * state that the next boot of the guest's driver chokes on. In order, each step logged:
 * <ol>
 * <li>the kernel's {@code reset} (it picks from the methods {@code reset_method} lists);</li>
 * <li>a secondary bus reset through the parent bridge, which resets the whole card (its audio
 *     function too), but only when every function behind that bridge is ours: the kernel refuses
 *     its own bus reset for a multi-function card;</li>
 * <li>only when neither was possible, D3hot→D0 through the PM capability, which resets a device
 *     that does not advertise No_Soft_Reset.</li>
 * </ol>
 * A function is ours when its card has a display function and no dom0 driver holds it (it is on
 * pciback or vfio-pci, or on no driver). This is libxl's reset hook ({@code /usr/libexec/polydesk/pci-reset}).
 */
public final class PciReset {
    public enum Outcome { RESET, NOT_OURS, FAILED }

    private static final Set<String> PASSTHROUGH_DRIVERS = Set.of("pciback", "vfio-pci");
    private static final int STATUS = 0x06;
    private static final int STATUS_CAP_LIST = 0x10;
    private static final int CAP_POINTER = 0x34;
    private static final int CAP_ID_PM = 0x01;
    private static final int PMCSR_NO_SOFT_RESET = 0x08;
    private static final int BRIDGE_CONTROL = 0x3e;
    private static final int BRIDGE_CTL_BUS_RESET = 0x40;
    private static final int HEADER = 64;
    /** PCI: reset asserted at least 1 ms; devices may take up to 1 s to answer after it. */
    private static final Duration RESET_ASSERT = Duration.ofMillis(2);
    private static final Duration RESET_RECOVERY = Duration.ofSeconds(1);
    /** PCI PM: 10 ms from D3hot to D0. */
    private static final Duration D3_TRANSITION = Duration.ofMillis(10);

    private final Sysfs sys;
    private final Consumer<String> log;

    public PciReset(Sysfs sys, Consumer<String> log) {
        this.sys = sys;
        this.log = log;
    }

    public Outcome reset(String address) throws IOException {
        if (!Files.isDirectory(sys.pciDevice(address))) {
            log.accept(address + ": no such PCI device");
            return Outcome.FAILED;
        }
        Optional<String> why = notOurs(address);
        if (why.isPresent()) {
            log.accept(address + ": not ours (" + why.get() + "); leaving it to libxl's reset");
            return Outcome.NOT_OURS;
        }
        boolean kernel = kernelReset(address);
        boolean bus = busReset(address);
        if (kernel || bus) {
            return Outcome.RESET;
        }
        return powerCycle(address) ? Outcome.RESET : Outcome.FAILED;
    }

    private Optional<String> notOurs(String address) throws IOException {
        String slot = address.substring(0, address.lastIndexOf('.'));
        boolean display = false;
        for (int f = 0; f < 8; f++) {
            Path fn = sys.pciDevice(slot + "." + f);
            if (Files.exists(fn.resolve("class")) && sys.read(fn.resolve("class")).startsWith("0x03")) {
                display = true;
            }
        }
        if (!display) {
            return Optional.of("no display function on its card");
        }
        Optional<String> driver = sys.driverOf(sys.pciDevice(address));
        if (driver.isPresent() && !PASSTHROUGH_DRIVERS.contains(driver.get())) {
            return Optional.of("dom0's driver " + driver.get() + " holds it");
        }
        return Optional.empty();
    }

    private boolean kernelReset(String address) {
        Path dev = sys.pciDevice(address);
        if (!Files.exists(dev.resolve("reset"))) {
            log.accept(address + ": step 1, kernel reset: the kernel offers none");
            return false;
        }
        String methods = "unknown";
        try {
            if (Files.exists(dev.resolve("reset_method"))) {
                methods = sys.read(dev.resolve("reset_method"));
            }
            log.accept(address + ": step 1, kernel reset (reset_method: " + methods + ")");
            sys.write(dev.resolve("reset"), "1");
            log.accept(address + ": step 1 done");
            return true;
        } catch (IOException e) {
            log.accept(address + ": step 1 failed: " + e.getMessage());
            return false;
        }
    }

    private boolean busReset(String address) {
        try {
            Optional<String> bridge = sys.parentBridge(address);
            if (bridge.isEmpty()) {
                log.accept(address + ": step 2, secondary bus reset: skipped, it is on a root bus (no bridge above it)");
                return false;
            }
            List<String> behind = sys.functionsBehind(bridge.get());
            for (String other : behind) {
                Optional<String> why = notOurs(other);
                if (why.isPresent()) {
                    log.accept(address + ": step 2, secondary bus reset through " + bridge.get() + ": skipped, " + other
                            + " behind it is not ours (" + why.get() + ")");
                    return false;
                }
            }
            log.accept(address + ": step 2, secondary bus reset through " + bridge.get() + " (resets " + behind + ")");
            List<byte[]> saved = new ArrayList<>();
            for (String f : behind) {
                saved.add(sys.readConfig(f, 0, HEADER));
            }
            int ctl = u16(sys.readConfig(bridge.get(), BRIDGE_CONTROL, 2), 0);
            sys.writeConfig(bridge.get(), BRIDGE_CONTROL, le16(ctl | BRIDGE_CTL_BUS_RESET));
            sys.pause(RESET_ASSERT);
            sys.writeConfig(bridge.get(), BRIDGE_CONTROL, le16(ctl & ~BRIDGE_CTL_BUS_RESET));
            sys.pause(RESET_RECOVERY);
            for (int i = 0; i < behind.size(); i++) {
                restoreHeader(behind.get(i), saved.get(i));
            }
            log.accept(address + ": step 2 done");
            return true;
        } catch (IOException e) {
            log.accept(address + ": step 2 failed: " + e.getMessage());
            return false;
        }
    }

    private boolean powerCycle(String address) {
        try {
            byte[] header = sys.readConfig(address, 0, HEADER);
            int pm = findCapability(address, header, CAP_ID_PM);
            if (pm < 0) {
                log.accept(address + ": step 3, D3hot→D0: skipped, it has no PM capability");
                return false;
            }
            int pmcsr = u16(sys.readConfig(address, pm + 4, 2), 0);
            if ((pmcsr & PMCSR_NO_SOFT_RESET) != 0) {
                log.accept(address + ": step 3, D3hot→D0: skipped, it keeps its state over D3hot (No_Soft_Reset)");
                return false;
            }
            log.accept(address + ": step 3, D3hot→D0 through the PM capability at 0x" + Integer.toHexString(pm));
            sys.writeConfig(address, pm + 4, le16((pmcsr & ~3) | 3));
            sys.pause(D3_TRANSITION);
            sys.writeConfig(address, pm + 4, le16(pmcsr & ~3));
            sys.pause(D3_TRANSITION);
            restoreHeader(address, header);
            log.accept(address + ": step 3 done");
            return true;
        } catch (IOException e) {
            log.accept(address + ": step 3 failed: " + e.getMessage());
            return false;
        }
    }

    private int findCapability(String address, byte[] header, int id) throws IOException {
        if ((u16(header, STATUS) & STATUS_CAP_LIST) == 0) {
            return -1;
        }
        int ptr = header[CAP_POINTER] & 0xfc;
        for (int hops = 0; ptr >= HEADER && hops < 48; hops++) {
            byte[] cap = sys.readConfig(address, ptr, 2);
            if ((cap[0] & 0xff) == id) {
                return ptr;
            }
            ptr = cap[1] & 0xfc;
        }
        return -1;
    }

    /** Writes the saved header back a dword at a time from the top, the command register last, as the kernel does. */
    private void restoreHeader(String address, byte[] header) throws IOException {
        for (int off = HEADER - 4; off >= 4; off -= 4) {
            sys.writeConfig(address, off, new byte[] {header[off], header[off + 1], header[off + 2], header[off + 3]});
        }
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    private static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }
}
