package org.polydesk.display.daemon;

import org.polydesk.display.compose.VmLabel;
import org.polydesk.display.rfb.RfbEndpoint;

/** A VNC server given on the command line ({@code --source 3=Name,#RRGGBB,tcp:host:port}). */
record FixedSource(VmLabel label, RfbEndpoint endpoint) {

    static FixedSource parse(String spec) {
        String usage = "--source must look like 3=Name,#C03030,unix:/path/vnc.sock or 3=Name,#C03030,tcp:host:5901, not '"
                + spec + "'";
        int eq = spec.indexOf('=');
        String[] parts = eq < 0 ? new String[0] : spec.substring(eq + 1).split(",", 3);
        if (eq < 1 || parts.length != 3 || !spec.substring(0, eq).matches("[1-9]")
                || !parts[1].matches("#[0-9A-Fa-f]{6}") || parts[0].isBlank()) {
            throw new IllegalArgumentException(usage);
        }
        RfbEndpoint endpoint;
        if (parts[2].startsWith("unix:") && parts[2].length() > 5) {
            endpoint = RfbEndpoint.unix(java.nio.file.Path.of(parts[2].substring(5)));
        } else if (parts[2].startsWith("tcp:") && parts[2].lastIndexOf(':') > 4
                && parts[2].substring(parts[2].lastIndexOf(':') + 1).matches("\\d{1,5}")) {
            int colon = parts[2].lastIndexOf(':');
            endpoint = RfbEndpoint.tcp(parts[2].substring(4, colon), Integer.parseInt(parts[2].substring(colon + 1)));
        } else {
            throw new IllegalArgumentException(usage);
        }
        return new FixedSource(new VmLabel(Integer.parseInt(spec.substring(0, eq)), parts[0],
                VmLabel.parseColour(parts[1])), endpoint);
    }
}
