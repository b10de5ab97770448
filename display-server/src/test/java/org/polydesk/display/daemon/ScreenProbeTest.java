package org.polydesk.display.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order {@code --sink auto} tries DRM cards in, on sysfs trees laid out as the kernel's: a
 * machine with a discrete GPU (the boot display, card0) and an integrated one (card1) keeps the
 * integrated one; a platform card (no PCI) comes last; without sysfs, the kernel's order.
 */
class ScreenProbeTest {
    @TempDir
    Path tmp;

    @Test
    void theIntegratedGpuFirstThenTheBootDisplayThenTheKernelsOrder() throws Exception {
        Path dri = Files.createDirectories(tmp.resolve("dev/dri"));
        for (String f : List.of("card0", "card1", "card2", "card10", "renderD128", "by-path")) {
            Files.createFile(dri.resolve(f));
        }
        Path pci = Files.createDirectories(tmp.resolve("sys/devices/pci0000:00"));
        Path discrete = Files.createDirectories(pci.resolve("0000:00:01.0/0000:01:00.0"));
        Files.writeString(discrete.resolve("boot_vga"), "1\n");
        Path integrated = Files.createDirectories(pci.resolve("0000:00:02.0"));
        Files.writeString(integrated.resolve("boot_vga"), "0\n");
        Path platform = Files.createDirectories(tmp.resolve("sys/devices/platform/simple-framebuffer.0"));
        Path sysDrm = Files.createDirectories(tmp.resolve("sys/class/drm"));
        link(sysDrm, "card0", discrete);
        link(sysDrm, "card1", integrated);
        link(sysDrm, "card2", platform);
        // card10: no sysfs entry at all

        assertEquals(List.of("card1", "card0", "card2", "card10"),
                ScreenProbe.cards(dri, sysDrm).stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(List.of("card0", "card1", "card2", "card10"),
                ScreenProbe.cards(dri, tmp.resolve("absent")).stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(List.of(), ScreenProbe.cards(tmp.resolve("no-dri"), sysDrm));
    }

    private static void link(Path sysDrm, String card, Path device) throws Exception {
        Path dir = Files.createDirectories(sysDrm.resolve(card));
        Files.createSymbolicLink(dir.resolve("device"), dir.relativize(device));
    }
}
