package org.polydesk.protocol.media;

/**
 * One installer medium in polydeskd's media library, as {@code media.list} shows it: its file name,
 * its absolute path in dom0 (what a VM's CD drive is given), its size, its SHA-256 when known (given
 * and checked at import, or computed then), and the volume label of its ISO 9660 primary volume
 * descriptor (null when the file has none).
 */
public record Medium(String name, String path, long sizeBytes, String sha256, String label) {
}
