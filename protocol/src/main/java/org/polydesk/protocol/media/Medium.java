package org.polydesk.protocol.media;

/**
 * One installer medium in polydeskd's media library, as {@code media.list} shows it: its file name,
 * its absolute path in dom0 (what a VM's CD drive is given), its size, its SHA-256 when known (given
 * and checked at import, or computed then), and the volume label of its ISO 9660 primary volume
 * descriptor (null when the file has none). A download that broke off is listed too, so that it can
 * be continued or deleted: {@code unfinishedUrl} is the URL whose import continues it,
 * {@code sizeBytes} what has arrived, and it has no {@code path} (no VM is given half a medium).
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record Medium(String name, String path, long sizeBytes, String sha256, String label, String unfinishedUrl) {
    /** A whole medium. */
    public Medium(String name, String path, long sizeBytes, String sha256, String label) {
        this(name, path, sizeBytes, sha256, label, null);
    }

    public boolean unfinished() {
        return unfinishedUrl != null;
    }
}
