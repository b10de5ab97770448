package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A disk: an image file or a block device. {@code vdev} is the guest-visible name (hda, xvda, …);
 * left out, the toolstack picks the next free one. A CD-ROM without a {@code path} is an empty
 * drive: the VM has the drive, and vm.cd.insert puts a medium in it while it runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Disk(String path, String format, Boolean cdrom, Boolean readOnly, String vdev) {
    public Disk {
        format = format == null ? "raw" : format;
        cdrom = cdrom != null && cdrom;
        // A CD-ROM is read-only whatever was asked.
        readOnly = cdrom || (readOnly != null && readOnly);
    }

    /** A CD-ROM drive with no medium. */
    public boolean empty() {
        return cdrom && (path == null || path.isBlank());
    }
}
