package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * A kind of device an HVM guest's firmware may boot from; a definition's {@code boot} lists them in
 * the order tried (xl.cfg's {@code boot = "dc"}: d is the CD-ROM, c the disk, n the network).
 */
public enum BootDevice {
    @JsonProperty("cdrom") CDROM('d'),
    @JsonProperty("disk") DISK('c'),
    @JsonProperty("network") NETWORK('n');

    private final char xlLetter;

    BootDevice(char xlLetter) {
        this.xlLetter = xlLetter;
    }

    /** The letter of xl.cfg's {@code boot} string. */
    public char xlLetter() {
        return xlLetter;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BootDevice fromXlLetter(char c) {
        for (BootDevice d : values()) {
            if (d.xlLetter == c) {
                return d;
            }
        }
        return null;
    }

    public static BootDevice fromWireName(String name) {
        for (BootDevice d : values()) {
            if (d.wireName().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
