package org.polydesk.toolstack.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.HostInfo.HypervisorBuild;

/**
 * host.info's Xen build, read from a root laid out as dpkg leaves it: the changelog of our build is
 * written by hypervisor-patches' own {@code xen_changelog_entry}, so the two cannot drift apart.
 */
class XenPackageTest {
    private static final String PKG = "xen-hypervisor-4.17-amd64";

    @TempDir
    Path root;

    @Test
    void ourBuildNamesItsPatches() throws Exception {
        String version = "4.17.5+72-g01140da4e8-1+polydesk1";
        status(PKG, version, "install ok installed");
        changelog(PKG, entry(version, "0001-libxl-pci-reset-hook.patch", "0002-other.patch")
                + "\nxen (4.17.5+72-g01140da4e8-1) bookworm; urgency=medium\n\n  * Polydesk: not-this-entry\n\n -- Debian\n");

        HypervisorBuild build = XenPackage.installed(root).orElseThrow();
        assertEquals(PKG, build.packageName());
        assertEquals(version, build.version());
        assertEquals(List.of("0001-libxl-pci-reset-hook", "0002-other"), build.patches());
    }

    @Test
    void stockXenHasNoPatches() throws Exception {
        status(PKG, "4.17.7+13-g2445b30a44-0+deb12u1", "install ok installed");
        changelog(PKG, "xen (4.17.7+13-g2445b30a44-0+deb12u1) bookworm-security; urgency=medium\n\n"
                + "  * Update to new upstream version.\n\n -- Maintainer <m@debian.org>  Mon, 1 Jan 2026 00:00:00 +0000\n");

        HypervisorBuild build = XenPackage.installed(root).orElseThrow();
        assertEquals("4.17.7+13-g2445b30a44-0+deb12u1", build.version());
        assertEquals(List.of(), build.patches());
    }

    @Test
    void removedOrAbsentIsNothing() throws Exception {
        assertTrue(XenPackage.installed(root).isEmpty(), "no dpkg status at all");
        status(PKG, "4.17.5-1", "deinstall ok config-files");
        assertTrue(XenPackage.installed(root).isEmpty(), "a removed package is not the running Xen");
    }

    private void status(String pkg, String version, String state) throws IOException {
        Path status = root.resolve("var/lib/dpkg/status");
        Files.createDirectories(status.getParent());
        Files.writeString(status, "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n\n"
                + "Package: " + pkg + "\nStatus: " + state + "\nPriority: optional\nVersion: " + version + "\n"
                + "Description: Xen Hypervisor on AMD64\n hypervisor\n\n");
    }

    private void changelog(String pkg, String text) throws IOException {
        Path doc = root.resolve("usr/share/doc/" + pkg);
        Files.createDirectories(doc);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(doc.resolve("changelog.Debian.gz")))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The entry hypervisor-patches/build.sh writes, from the function it calls. */
    private static String entry(String version, String... patches) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c",
                ". ../hypervisor-patches/source.sh && xen_changelog_entry \"$@\"", "entry", version));
        cmd.addAll(List.of(patches));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "xen_changelog_entry: " + out);
        return out;
    }
}
