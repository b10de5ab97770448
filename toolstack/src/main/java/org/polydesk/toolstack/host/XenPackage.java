package org.polydesk.toolstack.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.polydesk.protocol.toolstack.HostInfo.HypervisorBuild;

/**
 * Which Xen this dom0 has: the installed {@code xen-hypervisor-*} package, read from dpkg's own
 * status file, and the Polydesk patches it was built with, read from the first entry of its
 * Debian changelog, where hypervisor-patches/build.sh writes one {@code * Polydesk: NAME} line per
 * patch. Debian's stock Xen has no such lines: no patches. Reads files only, so polyctl's
 * host.info stays cheap.
 */
public final class XenPackage {
    private static final Pattern HYPERVISOR = Pattern.compile("xen-hypervisor-\\d[\\d.]*-amd64");
    private static final Pattern PATCH_LINE = Pattern.compile("^\\s+\\* Polydesk: (\\S+?)(?:\\.patch)?\\s*$");

    private XenPackage() {
    }

    /** The hypervisor package installed under {@code root} ("/" on a host), if any. */
    public static Optional<HypervisorBuild> installed(Path root) {
        String status;
        try {
            status = Files.readString(root.resolve("var/lib/dpkg/status"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String paragraph : status.split("\n\n")) {
            String name = field(paragraph, "Package");
            if (name == null || !HYPERVISOR.matcher(name).matches()
                    || !"install ok installed".equals(field(paragraph, "Status"))) {
                continue;
            }
            String version = field(paragraph, "Version");
            return Optional.of(new HypervisorBuild(name, version, patches(root.resolve("usr/share/doc/" + name))));
        }
        return Optional.empty();
    }

    private static String field(String paragraph, String key) {
        Matcher m = Pattern.compile("^" + key + ": *(.*)$", Pattern.MULTILINE).matcher(paragraph);
        return m.find() ? m.group(1).strip() : null;
    }

    /** The patch names in the newest changelog entry (up to its " -- " trailer line). */
    static List<String> patches(Path docDir) {
        List<String> names = new ArrayList<>();
        Path changelog = docDir.resolve("changelog.Debian.gz");
        if (!Files.isRegularFile(changelog)) {
            return names;
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(changelog))) {
            // The first entry is at the top; a few KiB hold it even with many patches.
            String head = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            for (String line : head.split("\n")) {
                if (line.startsWith(" -- ")) {
                    break;
                }
                Matcher m = PATCH_LINE.matcher(line);
                if (m.matches()) {
                    names.add(m.group(1));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return names;
    }
}
