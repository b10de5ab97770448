package org.polydesk.display.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.polydesk.display.sink.FramebufferSink;
import org.polydesk.display.sink.KmsSink;
import org.polydesk.display.sink.Sink;

/**
 * {@code --sink auto}: dom0's screen by kernel mode setting on the first DRM card (card0, card1,
 * … in order) that has a monitor connected, else the framebuffer device (a firmware framebuffer:
 * efifb, vesafb, or a driver without KMS). The log says which, and why not KMS.
 */
final class ScreenProbe {
    private static final Logger LOG = Logger.getLogger(ScreenProbe.class.getName());

    private ScreenProbe() {
    }

    static Sink open(Path dri, String framebuffer) throws IOException {
        List<String> why = new ArrayList<>();
        for (Path card : cards(dri)) {
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

    /** /dev/dri/cardN in the order of N. */
    static List<Path> cards(Path dri) throws IOException {
        if (!Files.isDirectory(dri)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dri)) {
            return s.filter(p -> p.getFileName().toString().matches("card\\d+"))
                    .sorted((a, b) -> Integer.compare(number(a), number(b))).toList();
        }
    }

    private static int number(Path card) {
        return Integer.parseInt(card.getFileName().toString().substring(4));
    }
}
