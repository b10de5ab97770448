package org.polydesk.toolstack.network;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 address with its prefix length, as {@code ip addr} writes it ({@code 10.77.0.1/24}): the
 * bridge's own address and, from it, the subnet the VMs on it share.
 */
public record Ipv4Net(int address, int prefix) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

    /** Parses {@code a.b.c.d/len}; throws IllegalArgumentException saying what is wrong. */
    public static Ipv4Net parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address with a prefix length, like 10.77.0.1/24");
        }
        int address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' has " + octet + " as a part; each is 0–255");
            }
            address = (address << 8) | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix > 32) {
            throw new IllegalArgumentException("'" + text + "' has prefix length " + prefix + "; at most 32");
        }
        return new Ipv4Net(address, prefix);
    }

    public int mask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public int network() {
        return address & mask();
    }

    public int broadcast() {
        return network() | ~mask();
    }

    /** Whether the two subnets share any address. */
    public boolean overlaps(Ipv4Net other) {
        int common = Math.min(prefix, other.prefix);
        int m = common == 0 ? 0 : -1 << (32 - common);
        return (address & m) == (other.address & m);
    }

    public boolean contains(int ip) {
        return (ip & mask()) == network();
    }

    /** The address alone, dotted. */
    public String host() {
        return dotted(address);
    }

    /** The subnet, as nftables and routes write it ({@code 10.77.0.0/24}). */
    public String subnet() {
        return dotted(network()) + "/" + prefix;
    }

    /** The first and last address dnsmasq may lease: the subnet without the bridge's own, network and broadcast. */
    public String[] leaseRange() {
        int first = network() + 1;
        int last = broadcast() - 1;
        if (first == address) {
            first++;
        }
        if (last == address) {
            last--;
        }
        return new String[] {dotted(first), dotted(last)};
    }

    public static String dotted(int ip) {
        return ((ip >>> 24) & 255) + "." + ((ip >>> 16) & 255) + "." + ((ip >>> 8) & 255) + "." + (ip & 255);
    }

    @Override
    public String toString() {
        return host() + "/" + prefix;
    }
}
