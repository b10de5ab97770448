package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceModelProcessTest {
    @TempDir
    Path proc;

    private void process(long pid, String... args) throws Exception {
        Files.writeString(Files.createDirectories(proc.resolve(Long.toString(pid))).resolve("cmdline"),
                String.join("\0", args) + "\0");
    }

    /** The QEMU whose -xen-domid is the domain's, not another domain's nor one that only mentions the number. */
    @Test
    void findsTheQemuOfTheDomainByItsDomid() throws Exception {
        process(1, "/sbin/init");
        process(410, "/usr/lib/polydesk/qemu/qemu-system-x86_64", "-xen-domid", "3", "-m", "12");
        process(412, "/usr/lib/polydesk/qemu/qemu-system-x86_64", "-xen-domid", "12", "-m", "3");
        process(500, "xl", "console", "12");
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("600")); // ended: no cmdline left

        assertEquals(Optional.of(412L), DeviceModelProcess.of(proc, 12));
        assertEquals(Optional.of(410L), DeviceModelProcess.of(proc, 3));
        assertEquals(Optional.empty(), DeviceModelProcess.of(proc, 7));
        assertEquals(Optional.empty(), DeviceModelProcess.of(proc.resolve("missing"), 3));
    }
}
