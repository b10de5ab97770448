package org.polydesk.protocol.vm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of a NIC's allowed list (policy {@code allowed}): {@code A.B.C.D[/LEN][:PORT[/tcp|/udp]]}
 * — a host or subnet, and optionally one port, on TCP and UDP unless one is named.
 * {@code 192.168.1.10:443/tcp}, {@code 10.20.0.0/16}, {@code 198.51.100.7:53}.
 */
public record NicAllowed(String address, int prefix, Integer port, String protocol) {
    private static final Pattern FORM = Pattern.compile(
            "(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/(\\d{1,2}))?(?::(\\d{1,5})(?:/(tcp|udp))?)?");

    /** Reads an entry; a malformed one is an IllegalArgumentException whose message says what is wrong. */
    public static NicAllowed parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not HOST[/LEN][:PORT[/tcp|/udp]], like 192.168.1.10:443/tcp"
                    + " or 10.20.0.0/16");
        }
        for (String octet : m.group(1).split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                throw new IllegalArgumentException("'" + text + "': " + octet + " is not an address byte (0–255)");
            }
        }
        int prefix = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
        if (prefix < 1 || prefix > 32) {
            throw new IllegalArgumentException("'" + text + "': prefix /" + prefix + " must be from 1 to 32");
        }
        Integer port = m.group(3) == null ? null : Integer.parseInt(m.group(3));
        if (port != null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " must be from 1 to 65535");
        }
        return new NicAllowed(m.group(1), prefix, port, m.group(4));
    }

    /** The host or subnet as nftables and people write it: {@code 10.20.0.0/16}, a host without /32. */
    public String destination() {
        return prefix == 32 ? address : address + "/" + prefix;
    }
}
