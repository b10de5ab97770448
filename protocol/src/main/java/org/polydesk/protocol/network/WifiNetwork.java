package org.polydesk.protocol.network;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A Wi-Fi network dom0's radio sees ({@code host.wifi.scan}): its SSID, signal (0–100), security as
 * NetworkManager names it ({@code WPA2}, {@code WPA1 WPA2}, empty for an open network), and whether
 * dom0 is connected to it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WifiNetwork(String ssid, int signal, String security, boolean inUse) {
    /** An SSID polydeskd connects to: 1–32 printable ASCII characters, no backslash or semicolon. */
    public static final java.util.regex.Pattern SSID_FORM = java.util.regex.Pattern.compile("[\\x20-\\x7e&&[^\\\\;]]{1,32}");
    /** A WPA passphrase: 8–63 printable ASCII characters. */
    public static final java.util.regex.Pattern PASSPHRASE_FORM = java.util.regex.Pattern.compile("[\\x20-\\x7e]{8,63}");
}
