package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A disk: an image file or a block device. {@code vdev} is the guest-visible name (hda, xvda, …);
 * left out, the toolstack picks the next free one. {@code bus} left out is the backend's default
 * (SATA for HVM guests, virtio for the others); a CD-ROM is always on SATA. A CD-ROM without a
 * {@code path} is an empty drive: the VM has the drive, and vm.cd.insert puts a medium in it while it runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Disk(String path, String format, Boolean cdrom, Boolean readOnly, String vdev, DiskBus bus) {
    @JsonCreator
    public Disk {
        format = format == null ? "raw" : format;
        cdrom = cdrom != null && cdrom;
        // A CD-ROM is read-only whatever was asked.
        readOnly = cdrom || (readOnly != null && readOnly);
    }

    public Disk(String path, String format, Boolean cdrom, Boolean readOnly, String vdev) {
        this(path, format, cdrom, readOnly, vdev, null);
    }

    public Disk withBus(DiskBus newBus) {
        return new Disk(path, format, cdrom, readOnly, vdev, newBus);
    }

    /** This CD-ROM drive holding {@code medium} (null: empty), as a live change leaves it. */
    public Disk withMedium(String medium) {
        return new Disk(medium, "raw", true, true, vdev, bus);
    }

    /** A CD-ROM drive with no medium. */
    public boolean empty() {
        return cdrom && (path == null || path.isBlank());
    }
}
