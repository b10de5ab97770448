package org.polydesk.display.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.polydesk.display.sink.FramebufferSink;
import org.polydesk.display.sink.KmsSink;
import org.polydesk.display.sink.Sink;
import org.polydesk.display.sink.SysfsDevice;

/**
 * {@code --sink auto}: dom0's screen by kernel mode setting on the first DRM card that has a
 * monitor connected, else the framebuffer device (a firmware framebuffer: efifb, vesafb, or a
 * driver without KMS). The log says which, and why not KMS. Cards are tried integrated ones first
 * (a GPU on the root PCI bus: on a machine with two, dom0 keeps the integrated one and the
 * discrete one is for the GPU VM), then the firmware's boot display, then in the kernel's order.
 */
final class ScreenProbe {
    private static final Logger LOG = Logger.getLogger(ScreenProbe.class.getName());
    private static final Path SYS_DRM = Path.of("/sys/class/drm");

    private ScreenProbe() {
    }

    static Sink open(Path dri, String framebuffer) throws IOException {
        List<String> why = new ArrayList<>();
        for (Path card : cards(dri, SYS_DRM)) {
            try {
                KmsSink kms = KmsSink.open(card.toString());
                LOG.info(() -> "screen: " + kms.describe());
                return kms;
            } catch (IOException e) {
                why.add(e.getMessage());
            }
        }
        FramebufferSink fb = FramebufferSink.open(framebuffer);
        String reason = why.isEmpty() ? "no DRM card in " + dri : String.join("; ", why);
        LOG.info(() -> "screen: " + fb.describe() + " (no kernel mode setting: " + reason + ")");
        return fb;
    }

    /** {@code dri}'s cardN in the order they are tried; {@code sysDrm} (/sys/class/drm) says what each is. */
    static List<Path> cards(Path dri, Path sysDrm) throws IOException {
        if (!Files.isDirectory(dri)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dri)) {
            return s.filter(p -> p.getFileName().toString().matches("card\\d+"))
                    .sorted(Comparator.comparing((Path p) -> !integrated(sysDrm, p))
                            .thenComparing(p -> !bootDisplay(sysDrm, p))
                            .thenComparingInt(ScreenProbe::number))
                    .toList();
        }
    }

    /** A PCI device on the root bus (domain 0, bus 0): an integrated GPU; a discrete one sits behind a bridge. */
    private static boolean integrated(Path sysDrm, Path card) {
        String device = SysfsDevice.pciAddress(sysDrm.resolve(card.getFileName()));
        return device != null && device.startsWith("0000:00:");
    }

    /** The display the firmware booted on (the PCI device's boot_vga). */
    private static boolean bootDisplay(Path sysDrm, Path card) {
        try {
            return Files.readString(sysDrm.resolve(card.getFileName()).resolve("device").resolve("boot_vga")).strip().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    private static int number(Path card) {
        return Integer.parseInt(card.getFileName().toString().substring(4));
    }
}
