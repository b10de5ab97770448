package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A disk: an image file or a block device. {@code vdev} is the guest-visible name (hda, xvda, …);
 * left out, the toolstack picks the next free one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Disk(String path, String format, Boolean cdrom, Boolean readOnly, String vdev) {
    public Disk {
        format = format == null ? "raw" : format;
        cdrom = cdrom != null && cdrom;
        // A CD-ROM is read-only whatever was asked.
        readOnly = cdrom || (readOnly != null && readOnly);
    }
}
