package org.polydesk.protocol.usb;

import java.util.List;

/** The USB policy for devices no rule names, and the rules (stored in /var/lib/polydesk/usb.json). */
public record UsbSettings(UsbPolicy policy, List<UsbRule> rules) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public UsbSettings {
        policy = policy == null ? UsbPolicy.FOCUSED : policy;
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    public static UsbSettings defaults() {
        return new UsbSettings(UsbPolicy.FOCUSED, List.of());
    }
}
