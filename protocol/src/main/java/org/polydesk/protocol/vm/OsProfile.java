package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * The operating system a VM is made for. Choosing one when a VM is created fills the settings
 * that OS wants; they are stored in the definition as ordinary fields and stay editable, so the
 * profile is a starting point, never a rule. polydeskd, polyctl ({@code vm create --os}) and the
 * UI's form share this one table.
 *
 * <p>The boot order of every profile is CD-ROM, then disk ("CD first until installed"): with an
 * installer ISO attached the VM starts it; Windows' installer CD boots only on a key press and
 * otherwise falls through to the disk, so the installer's own reboots reach the installed system.
 * A CD drive without media is skipped. Once installed, the person ejects the ISO or puts the disk
 * first in the order; polydeskd never changes the order itself.
 */
public enum OsProfile {
    @JsonProperty("win11") WIN11("Windows 11", new Settings(4096, 2, Firmware.UEFI, true, true,
            HypervFeature.WINDOWS, DiskBus.SATA, NicModel.E1000, true, true)),
    @JsonProperty("win10") WIN10("Windows 10", new Settings(4096, 2, Firmware.UEFI, false, false,
            HypervFeature.WINDOWS, DiskBus.SATA, NicModel.E1000, true, true)),
    @JsonProperty("linux") LINUX("Linux", new Settings(2048, 2, Firmware.BIOS, false, false,
            List.of(), DiskBus.VIRTIO, NicModel.VIRTIO, false, true)),
    @JsonProperty("bsd") BSD("BSD", new Settings(2048, 2, Firmware.BIOS, false, false,
            List.of(), DiskBus.SATA, NicModel.E1000, false, true)),
    @JsonProperty("other") OTHER("Other", new Settings(1024, 1, Firmware.BIOS, false, false,
            List.of(), DiskBus.SATA, NicModel.E1000, false, false));

    /** What a profile fills; every one is an HVM guest booting CD-ROM first, then disk. */
    public record Settings(int memoryMib, int vcpus, Firmware firmware, boolean secureBoot, boolean tpm,
                           List<HypervFeature> hyperv, DiskBus diskBus, NicModel nicModel,
                           boolean rtcLocalTime, boolean usbTablet) {
        public List<BootDevice> boot() {
            return List.of(BootDevice.CDROM, BootDevice.DISK);
        }
    }

    private final String label;
    private final Settings settings;

    OsProfile(String label, Settings settings) {
        this.label = label;
        this.settings = settings;
    }

    /** The name a person reads ("Windows 11"). */
    public String label() {
        return label;
    }

    public Settings settings() {
        return settings;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OsProfile fromWireName(String name) {
        for (OsProfile p : values()) {
            if (p.wireName().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /**
     * {@code def} with this profile's settings: type HVM, firmware, Secure Boot, TPM, Hyper-V groups,
     * boot order, local-time clock, USB tablet, memory and vCPUs; its hard disks on the profile's
     * bus and its network interfaces of the profile's model. Everything else is kept.
     */
    public VmDefinition applyTo(VmDefinition def) {
        Settings s = settings;
        return def.toBuilder()
                .os(this)
                .type(GuestType.HVM)
                .memoryMib(s.memoryMib())
                .vcpus(s.vcpus())
                .firmware(s.firmware())
                .secureBoot(s.secureBoot())
                .tpm(s.tpm())
                .hyperv(s.hyperv())
                .boot(s.boot())
                .rtcLocalTime(s.rtcLocalTime())
                .usbTablet(s.usbTablet())
                .disks(def.disks().stream().map(d -> d.cdrom() ? d : d.withBus(s.diskBus())).toList())
                .nics(def.nics().stream().map(n -> n.withModel(s.nicModel())).toList())
                .build();
    }

    @Override
    public String toString() {
        return label;
    }
}
