package org.polydesk.toolstack.libxl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The device model QEMU that libxl started for a domain, found in procfs by its {@code -xen-domid}
 * argument. Its pid is what the sound server knows the VM's streams by.
 */
final class DeviceModelProcess {
    private DeviceModelProcess() {
    }

    static Optional<Long> of(Path proc, int domid) {
        String wanted = Integer.toString(domid);
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path p : pids) {
                List<String> args;
                try {
                    args = Arrays.asList(new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .split("\0"));
                } catch (IOException gone) {
                    continue; // ended while we looked
                }
                int at = args.indexOf("-xen-domid");
                if (at >= 0 && at + 1 < args.size() && args.get(at + 1).equals(wanted)) {
                    return Optional.of(Long.parseLong(p.getFileName().toString()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
