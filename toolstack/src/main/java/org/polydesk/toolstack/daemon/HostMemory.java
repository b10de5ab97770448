package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's memory, from /proc/meminfo. */
final class HostMemory {
    private HostMemory() {
    }

    static long totalMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
