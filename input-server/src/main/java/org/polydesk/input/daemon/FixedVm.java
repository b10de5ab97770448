package org.polydesk.input.daemon;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A VM given on the command line ({@code --vm 3=Name,tcp:host:5901}), typed into through its RFB
 * server: the display server's {@code --source} for input, for development and tests without polydeskd.
 */
record FixedVm(int slot, String name, SocketAddress rfb) {

    /** A stable id from the name, as the focus bus reports one for every VM. */
    UUID id() {
        return UUID.nameUUIDFromBytes(("polydesk-input --vm " + name).getBytes(StandardCharsets.UTF_8));
    }

    static FixedVm parse(String spec) {
        String usage = "--vm must look like 3=Name,unix:/path/vnc.sock or 3=Name,tcp:host:5901, not '" + spec + "'";
        int eq = spec.indexOf('=');
        String[] parts = eq < 0 ? new String[0] : spec.substring(eq + 1).split(",", 2);
        if (eq < 1 || parts.length != 2 || !spec.substring(0, eq).matches("[1-9]") || parts[0].isBlank()) {
            throw new IllegalArgumentException(usage);
        }
        String at = parts[1];
        SocketAddress address;
        if (at.startsWith("unix:") && at.length() > 5) {
            address = UnixDomainSocketAddress.of(Path.of(at.substring(5)));
        } else if (at.startsWith("tcp:") && at.lastIndexOf(':') > 4 && at.substring(at.lastIndexOf(':') + 1).matches("\\d{1,5}")
                && Integer.parseInt(at.substring(at.lastIndexOf(':') + 1)) <= 65535) {
            int colon = at.lastIndexOf(':');
            address = InetSocketAddress.createUnresolved(at.substring(4, colon), Integer.parseInt(at.substring(colon + 1)));
        } else {
            throw new IllegalArgumentException(usage);
        }
        return new FixedVm(Integer.parseInt(spec.substring(0, eq)), parts[0], address);
    }
}
