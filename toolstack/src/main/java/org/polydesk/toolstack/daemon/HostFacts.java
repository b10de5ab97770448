package org.polydesk.toolstack.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What host.info tells of the machine beyond its VMs, read from the kernel polydeskd runs on (dom0's
 * on Xen): memory from /proc/meminfo, uptime from /proc/uptime, the kernel's release, and
 * polydeskd's own version (the build's, from {@code polydesk-version.properties}). A value that
 * cannot be read is null (-1 for the total memory), never a guess.
 */
final class HostFacts {
    private static final Path PROC = Path.of("/proc");

    private HostFacts() {
    }

    static long memoryTotalMib() {
        Long kib = meminfoKib("MemTotal:");
        return kib == null ? -1 : kib / 1024;
    }

    static Long memoryAvailableMib() {
        Long kib = meminfoKib("MemAvailable:");
        return kib == null ? null : kib / 1024;
    }

    private static Long meminfoKib(String key) {
        try {
            for (String line : Files.readAllLines(PROC.resolve("meminfo"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** Whole seconds since the kernel booted. */
    static Long uptimeSeconds() {
        try {
            String first = Files.readString(PROC.resolve("uptime")).strip().split("\\s+")[0];
            return (long) Double.parseDouble(first);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** The kernel's release, as {@code uname -r} prints it. */
    static String kernel() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    /** The version of the build polydeskd comes from. */
    static String polydeskVersion() {
        try (InputStream in = HostFacts.class.getResourceAsStream("polydesk-version.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }
}
