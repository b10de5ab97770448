package org.polydesk.protocol.media;

/**
 * An ISO file on a removable disk plugged into the host, as {@code media.usb.list} finds it:
 * the partition ({@code device}, e.g. /dev/sdb1, or the whole stick when it has no partition table),
 * the stick's vendor and model, the file's path inside that file system and its size.
 */
public record UsbIsoFile(String device, String stick, String file, long sizeBytes) {
}
