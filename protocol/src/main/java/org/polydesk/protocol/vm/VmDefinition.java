package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/**
 * What a VM is, as polydeskd stores it and as it crosses the toolstack API.
 * Fields a person may leave out get their defaults here, so every reader sees the same VM;
 * whether the values make sense is the toolstack's validation, not this record's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmDefinition(
        UUID id,
        String name,
        Integer slot,
        String colour,
        Integer memoryMib,
        Integer vcpus,
        GuestType type,
        Firmware firmware,
        List<Disk> disks,
        List<Nic> nics,
        Display display,
        List<String> pciDevices,
        String gpu,
        Boolean autostart,
        String kernel,
        String ramdisk,
        String cmdline,
        String bootloader,
        OsProfile os,
        List<HypervFeature> hyperv,
        List<BootDevice> boot,
        Boolean rtcLocalTime,
        Boolean usbTablet,
        Boolean secureBoot,
        Boolean tpm,
        CrashAction onCrash,
        SoundCard sound,
        String monitor) {

    /** The fields' wire names, for a problem that names its field (a test keeps them equal to the components). */
    public static final String ID = "id", NAME = "name", SLOT = "slot", COLOUR = "colour", MEMORY_MIB = "memoryMib",
            VCPUS = "vcpus", TYPE = "type", FIRMWARE = "firmware", DISKS = "disks", NICS = "nics", DISPLAY = "display",
            PCI_DEVICES = "pciDevices", GPU = "gpu", KERNEL = "kernel", RAMDISK = "ramdisk", CMDLINE = "cmdline",
            BOOTLOADER = "bootloader", OS = "os", HYPERV = "hyperv", BOOT = "boot", RTC_LOCAL_TIME = "rtcLocalTime",
            USB_TABLET = "usbTablet", SECURE_BOOT = "secureBoot", TPM = "tpm", ON_CRASH = "onCrash",
            SOUND = "sound", MONITOR = "monitor";

    public static final int DEFAULT_MEMORY_MIB = 1024;
    public static final String DEFAULT_COLOUR = "#3465a4";

    public VmDefinition {
        colour = colour == null ? DEFAULT_COLOUR : colour;
        memoryMib = memoryMib == null ? DEFAULT_MEMORY_MIB : memoryMib;
        vcpus = vcpus == null ? 1 : vcpus;
        type = type == null ? GuestType.HVM : type;
        firmware = firmware == null ? Firmware.BIOS : firmware;
        disks = disks == null ? List.of() : List.copyOf(disks);
        nics = nics == null ? List.of() : List.copyOf(nics);
        display = display == null ? Display.DEFAULT : display;
        pciDevices = pciDevices == null ? List.of() : List.copyOf(pciDevices);
        autostart = autostart != null && autostart;
        hyperv = hyperv == null ? List.of() : List.copyOf(hyperv);
        boot = boot == null ? List.of() : List.copyOf(boot);
        rtcLocalTime = rtcLocalTime != null && rtcLocalTime;
        usbTablet = usbTablet != null && usbTablet;
        secureBoot = secureBoot != null && secureBoot;
        tpm = tpm != null && tpm;
        onCrash = onCrash == null ? CrashAction.RESTART : onCrash;
        sound = sound == null ? SoundCard.HDA : sound;
    }

    public VmDefinition withId(UUID newId) {
        return new VmDefinition(newId, name, slot, colour, memoryMib, vcpus, type, firmware, disks, nics,
                display, pciDevices, gpu, autostart, kernel, ramdisk, cmdline, bootloader, os, hyperv, boot, rtcLocalTime,
                usbTablet, secureBoot, tpm, onCrash, sound, monitor);
    }

    public VmDefinition withSlot(Integer newSlot) {
        return new VmDefinition(id, name, newSlot, colour, memoryMib, vcpus, type, firmware, disks, nics,
                display, pciDevices, gpu, autostart, kernel, ramdisk, cmdline, bootloader, os, hyperv, boot, rtcLocalTime,
                usbTablet, secureBoot, tpm, onCrash, sound, monitor);
    }

    /** This definition with {@code medium} (null: none) in its CD drive {@code disk} (an index into disks). */
    public VmDefinition withCdMedium(int disk, String medium) {
        List<Disk> changed = new java.util.ArrayList<>(disks);
        changed.set(disk, changed.get(disk).withMedium(medium));
        return toBuilder().disks(changed).build();
    }

    /** A builder for code that assembles a definition field by field (CLI, xl.cfg import). */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id; b.name = name; b.slot = slot; b.colour = colour; b.memoryMib = memoryMib; b.vcpus = vcpus;
        b.type = type; b.firmware = firmware; b.disks = disks; b.nics = nics; b.display = display;
        b.pciDevices = pciDevices; b.gpu = gpu; b.autostart = autostart; b.kernel = kernel;
        b.ramdisk = ramdisk; b.cmdline = cmdline; b.bootloader = bootloader;
        b.os = os; b.hyperv = hyperv; b.boot = boot; b.rtcLocalTime = rtcLocalTime; b.usbTablet = usbTablet;
        b.secureBoot = secureBoot; b.tpm = tpm; b.onCrash = onCrash; b.sound = sound; b.monitor = monitor;
        return b;
    }

    public static final class Builder {
        private UUID id;
        private String name;
        private Integer slot;
        private String colour;
        private Integer memoryMib;
        private Integer vcpus;
        private GuestType type;
        private Firmware firmware;
        private List<Disk> disks;
        private List<Nic> nics;
        private Display display;
        private List<String> pciDevices;
        private String gpu;
        private Boolean autostart;
        private String kernel;
        private String ramdisk;
        private String cmdline;
        private String bootloader;
        private OsProfile os;
        private List<HypervFeature> hyperv;
        private List<BootDevice> boot;
        private Boolean rtcLocalTime;
        private Boolean usbTablet;
        private Boolean secureBoot;
        private Boolean tpm;
        private CrashAction onCrash;
        private SoundCard sound;
        private String monitor;

        public Builder id(UUID v) { id = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder slot(Integer v) { slot = v; return this; }
        public Builder colour(String v) { colour = v; return this; }
        public Builder memoryMib(Integer v) { memoryMib = v; return this; }
        public Builder vcpus(Integer v) { vcpus = v; return this; }
        public Builder type(GuestType v) { type = v; return this; }
        public Builder firmware(Firmware v) { firmware = v; return this; }
        public Builder disks(List<Disk> v) { disks = v; return this; }
        public Builder nics(List<Nic> v) { nics = v; return this; }
        public Builder display(Display v) { display = v; return this; }
        public Builder pciDevices(List<String> v) { pciDevices = v; return this; }
        public Builder gpu(String v) { gpu = v; return this; }
        public Builder autostart(Boolean v) { autostart = v; return this; }
        public Builder kernel(String v) { kernel = v; return this; }
        public Builder ramdisk(String v) { ramdisk = v; return this; }
        public Builder cmdline(String v) { cmdline = v; return this; }
        public Builder bootloader(String v) { bootloader = v; return this; }
        public Builder os(OsProfile v) { os = v; return this; }
        public Builder hyperv(List<HypervFeature> v) { hyperv = v; return this; }
        public Builder boot(List<BootDevice> v) { boot = v; return this; }
        public Builder rtcLocalTime(Boolean v) { rtcLocalTime = v; return this; }
        public Builder usbTablet(Boolean v) { usbTablet = v; return this; }
        public Builder secureBoot(Boolean v) { secureBoot = v; return this; }
        public Builder tpm(Boolean v) { tpm = v; return this; }
        public Builder onCrash(CrashAction v) { onCrash = v; return this; }
        public Builder sound(SoundCard v) { sound = v; return this; }
        public Builder monitor(String v) { monitor = v; return this; }

        public VmDefinition build() {
            return new VmDefinition(id, name, slot, colour, memoryMib, vcpus, type, firmware, disks, nics,
                    display, pciDevices, gpu, autostart, kernel, ramdisk, cmdline, bootloader, os, hyperv, boot,
                    rtcLocalTime, usbTablet, secureBoot, tpm, onCrash, sound, monitor);
        }
    }
}
