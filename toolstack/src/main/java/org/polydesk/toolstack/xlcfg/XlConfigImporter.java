package org.polydesk.toolstack.xlcfg;

import org.polydesk.protocol.toolstack.ImportRemark;
import org.polydesk.protocol.toolstack.XlImportResult;
import org.polydesk.protocol.usb.UsbRule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.polydesk.protocol.vm.BootDevice;
import org.polydesk.protocol.vm.Disk;
import org.polydesk.protocol.vm.DiskBus;
import org.polydesk.protocol.vm.HypervFeature;
import org.polydesk.protocol.vm.Firmware;
import org.polydesk.protocol.vm.GuestType;
import org.polydesk.protocol.vm.SoundCard;
import org.polydesk.protocol.vm.Nic;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * Turns an xl.cfg file into a {@link VmDefinition}, reading each key as xl's parse_config_data does.
 * Every key the definition does not fully hold is named in the result, with the reason; values xl
 * itself would refuse stop the import with an {@link XlConfigException}.
 */
public final class XlConfigImporter {
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** The bridge xl gives a vif that names none (xl.conf(5), vif.default.bridge). */
    private static final String XL_DEFAULT_BRIDGE = "xenbr0";

    private final XlConfig config;
    private final VmDefinition.Builder definition = VmDefinition.builder();
    private final List<ImportRemark> unsupported = new ArrayList<>();
    private final List<ImportRemark> notes = new ArrayList<>();
    private final List<UsbRule> usbRules = new ArrayList<>();
    private final Set<String> handled = new HashSet<>();

    private XlConfigImporter(XlConfig config) {
        this.config = config;
    }

    public static XlImportResult importText(String text) throws XlConfigException {
        return importConfig(XlConfigParser.parse(text));
    }

    public static XlImportResult importConfig(XlConfig config) throws XlConfigException {
        return new XlConfigImporter(config).run();
    }

    private XlImportResult run() throws XlConfigException {
        noteOverriddenSettings();
        GuestType type = readType();
        definition.type(type);
        readIdentity();
        readMemory();
        readVcpus();
        readFirmware(type);
        readBoot(type);
        readGuestDevices(type);
        readUsbPassthrough();
        readDisks(type);
        readNics();
        readPciAndGpu(type);
        reportUnhandledKeys();
        Comparator<ImportRemark> byLine = Comparator.comparingInt(ImportRemark::line);
        unsupported.sort(byLine);
        notes.sort(byLine);
        return new XlImportResult(definition.build(), unsupported, notes, usbRules);
    }

    /** The setting of {@code key}, marking the key as read so it is not reported as unknown. */
    private Optional<XlSetting> take(String key) {
        handled.add(key);
        return config.get(key);
    }

    private void noteOverriddenSettings() {
        List<XlSetting> all = config.settings();
        for (int i = 0; i < all.size(); i++) {
            XlSetting earlier = all.get(i);
            all.subList(i + 1, all.size()).stream()
                    .filter(later -> later.key().equals(earlier.key()))
                    .findFirst()
                    .filter(later -> !later.appended())
                    .ifPresent(later -> note(earlier.key(), earlier.line(),
                            "set again on line " + later.line() + "; xl uses the later value"));
        }
    }

    private GuestType readType() throws XlConfigException {
        Optional<XlSetting> typeSetting = take("type");
        Optional<XlSetting> builder = take("builder");
        GuestType type = null;
        if (typeSetting.isPresent()) {
            String value = typeSetting.get().string();
            if (isXlAbbreviation(value, "hvm")) {
                type = GuestType.HVM;
            } else if (isXlAbbreviation(value, "pv")) {
                type = GuestType.PV;
            } else if (isXlAbbreviation(value, "pvh")) {
                type = GuestType.PVH;
            } else {
                throw new XlConfigException(typeSetting.get().line(),
                        "type = \"" + value + "\" is not a guest type; expected hvm, pvh or pv");
            }
        }
        if (builder.isPresent()) {
            // The pre-4.10 spelling: builder = "hvm" or "generic" (pv).
            String value = builder.get().string();
            GuestType built;
            if (isXlAbbreviation(value, "hvm")) {
                built = GuestType.HVM;
            } else if (isXlAbbreviation(value, "generic")) {
                built = GuestType.PV;
            } else {
                throw new XlConfigException(builder.get().line(),
                        "builder = \"" + value + "\" is not a builder; expected hvm or generic");
            }
            if (type != null && type != built) {
                throw new XlConfigException(builder.get().line(), "builder = \"" + value
                        + "\" contradicts type = \"" + type.wireName() + "\"");
            }
            type = built;
        }
        if (type == null) {
            note("type", 0, "no type or builder is given; xl's default, pv, is used");
            type = GuestType.PV;
        }
        return type;
    }

    private void readIdentity() throws XlConfigException {
        Optional<XlSetting> name = take("name");
        if (name.isPresent()) {
            definition.name(name.get().string());
        } else {
            note("name", 0, "no name is given (xl requires one); the VM needs a name");
        }
        Optional<XlSetting> uuid = take("uuid");
        if (uuid.isPresent()) {
            String text = uuid.get().string();
            if (!UUID_TEXT.matcher(text).matches()) {
                throw new XlConfigException(uuid.get().line(), "uuid = \"" + text + "\" is not a UUID");
            }
            definition.id(UUID.fromString(text));
        }
    }

    private void readMemory() throws XlConfigException {
        Optional<XlSetting> memory = take("memory");
        Optional<XlSetting> maxmem = take("maxmem");
        Integer mib = memory.isPresent() ? memory.get().number(1, Integer.MAX_VALUE) : null;
        if (maxmem.isPresent()) {
            int max = maxmem.get().number(1, Integer.MAX_VALUE);
            if (mib == null) {
                // xl starts a guest with maxmem when memory is not given.
                mib = max;
            } else if (max != mib) {
                unsupported("maxmem", maxmem.get().line(), "maxmem = " + max + " differs from memory = " + mib
                        + "; " + UnimportedKeys.reason("maxmem") + " (memory = " + mib + " is imported)");
            }
        }
        if (mib == null) {
            note("memory", 0, "no memory is given; Polydesk's default of "
                    + VmDefinition.DEFAULT_MEMORY_MIB + " MiB applies");
        }
        definition.memoryMib(mib);
    }

    private void readVcpus() throws XlConfigException {
        Optional<XlSetting> vcpus = take("vcpus");
        int count = 1;
        if (vcpus.isPresent() && vcpus.get().number() < 1) {
            note("vcpus", vcpus.get().line(), "vcpus = " + vcpus.get().number() + " is read as 1, as xl does");
        } else if (vcpus.isPresent()) {
            count = vcpus.get().number(1, Integer.MAX_VALUE);
        }
        definition.vcpus(count);
        Optional<XlSetting> maxvcpus = take("maxvcpus");
        if (maxvcpus.isPresent()) {
            long max = maxvcpus.get().number();
            if (max != count) {
                unsupported("maxvcpus", maxvcpus.get().line(), "maxvcpus = " + max + " differs from vcpus = "
                        + count + "; " + UnimportedKeys.reason("maxvcpus"));
            }
        }
    }

    private void readFirmware(GuestType type) throws XlConfigException {
        Optional<XlSetting> bios = take("bios");
        Optional<XlSetting> firmware = take("firmware");
        if (type != GuestType.HVM) {
            bios.ifPresent(s -> unsupported("bios", s.line(),
                    "only HVM guests have a BIOS; xl ignores bios for " + type.wireName() + " guests"));
            if (firmware.isPresent()) {
                unsupported("firmware", firmware.get().line(), "firmware for " + type.wireName()
                        + " guests is a pvgrub image, which Polydesk does not support;"
                        + " use bootloader = \"pygrub\" or a kernel");
            }
            return;
        }
        Firmware chosen = Firmware.BIOS;
        if (bios.isPresent()) {
            String value = bios.get().string();
            chosen = biosType(value, bios.get());
            if (chosen == null) {
                throw new XlConfigException(bios.get().line(),
                        "bios = \"" + value + "\" is not a BIOS; expected seabios, ovmf or rombios");
            }
        }
        if (firmware.isPresent()) {
            // xl reads firmware after bios: a BIOS name or uefi overrides it, "bios" keeps it, anything else is a file.
            String value = firmware.get().string();
            Firmware named = biosType(value, firmware.get());
            if (named != null) {
                chosen = named;
            } else if (isXlAbbreviation(value, "uefi")) {
                chosen = Firmware.UEFI;
            } else if (!isXlAbbreviation(value, "bios")) {
                unsupported("firmware", firmware.get().line(), "a custom firmware image ('" + value
                        + "') is not supported; Polydesk boots HVM guests with SeaBIOS or OVMF (UEFI)");
            }
        }
        definition.firmware(chosen);
    }

    /** A libxl BIOS name as a Polydesk firmware, or null if {@code value} is none. */
    private Firmware biosType(String value, XlSetting setting) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "seabios":
                return Firmware.BIOS;
            case "ovmf":
                return Firmware.UEFI;
            case "rombios":
                unsupported(setting.key(), setting.line(), "ROMBIOS needs qemu-traditional, which Polydesk does not"
                        + " use; the VM gets SeaBIOS instead");
                return Firmware.BIOS;
            default:
                return null;
        }
    }

    private void readBoot(GuestType type) throws XlConfigException {
        Optional<XlSetting> kernel = take("kernel");
        if (kernel.isPresent()) {
            String path = kernel.get().string();
            if (type == GuestType.HVM && path.substring(path.lastIndexOf('/') + 1).equals("hvmloader")) {
                note("kernel", kernel.get().line(), "xl ignores hvmloader as an HVM kernel, and so does the import");
            } else {
                definition.kernel(path);
            }
        }
        Optional<XlSetting> ramdisk = take("ramdisk");
        if (ramdisk.isPresent()) {
            definition.ramdisk(ramdisk.get().string());
        }
        Optional<XlSetting> bootloader = take("bootloader");
        if (bootloader.isPresent()) {
            definition.bootloader(bootloader.get().string());
        }
        readCmdline();
    }

    /** cmdline wins over root and extra; otherwise the line is "root=ROOT EXTRA", as xl builds it. */
    private void readCmdline() throws XlConfigException {
        Optional<XlSetting> cmdline = take("cmdline");
        Optional<XlSetting> root = take("root");
        Optional<XlSetting> extra = take("extra");
        if (cmdline.isPresent()) {
            definition.cmdline(cmdline.get().string());
            for (Optional<XlSetting> ignored : List.of(root, extra)) {
                ignored.ifPresent(s -> note(s.key(), s.line(),
                        "xl ignores " + s.key() + " when cmdline is set, and so does the import"));
            }
            return;
        }
        String rootPart = root.isPresent() ? "root=" + root.get().string() : null;
        String extraPart = extra.isPresent() ? extra.get().string() : null;
        if (rootPart != null && extraPart != null) {
            definition.cmdline(rootPart + " " + extraPart);
        } else if (rootPart != null || extraPart != null) {
            definition.cmdline(rootPart != null ? rootPart : extraPart);
        }
    }

    /**
     * xl's USB passthrough: a controller (usbctrl) every Polydesk VM has anyway, and devices by bus and
     * address (usbdev), which change each time a device is plugged in and so cannot be kept as such.
     */
    private void readUsbPassthrough() {
        take("usbctrl").ifPresent(s -> note("usbctrl", s.line(), "left out (harmless): every Polydesk VM has a USB 3"
                + " controller (xHCI) that the host's USB devices are given to"));
        take("usbdev").ifPresent(s -> unsupported("usbdev", s.line(), "a USB device by bus and address (hostbus, hostaddr)"
                + " changes each time it is plugged in; give it by its ids or port instead (polyctl usb list, polyctl usb"
                + " rule add VM --id VVVV:PPPP or --port PORT)"));
    }

    /** The HVM machine's settings: Hyper-V groups, boot order, USB tablet, clock and display adapter. */
    private void readGuestDevices(GuestType type) throws XlConfigException {
        Optional<XlSetting> viridian = take("viridian");
        Optional<XlSetting> boot = take("boot");
        Optional<XlSetting> usb = take("usb");
        Optional<XlSetting> usbdevice = take("usbdevice");
        Optional<XlSetting> vga = take("vga");
        Optional<XlSetting> stdvga = take("stdvga");
        Optional<XlSetting> localtime = take("localtime");
        Optional<XlSetting> soundhw = take("soundhw");
        if (localtime.isPresent()) {
            definition.rtcLocalTime(localtime.get().flag());
        }
        if (type != GuestType.HVM) {
            for (Optional<XlSetting> hvmOnly : List.of(viridian, boot, usb, usbdevice, vga, stdvga, soundhw)) {
                hvmOnly.ifPresent(s -> unsupported(s.key(), s.line(), "only HVM guests have it; xl ignores "
                        + s.key() + " for " + type.wireName() + " guests"));
            }
            return;
        }
        if (viridian.isPresent()) {
            definition.hyperv(viridianGroups(viridian.get()));
        }
        if (soundhw.isPresent()) {
            String card = soundhw.get().string();
            switch (card) {
                case "hda" -> definition.sound(SoundCard.HDA);
                case "ac97" -> definition.sound(SoundCard.AC97);
                default -> unsupported("soundhw", soundhw.get().line(), "Polydesk's sound cards are hda and ac97, not '"
                        + card + "'; the VM keeps hda");
            }
        }
        if (boot.isPresent()) {
            definition.boot(bootOrder(boot.get()));
        }
        if (usbdevice.isPresent()) {
            XlSetting setting = usbdevice.get();
            List<String> devices = setting.value() instanceof XlValue.Atom atom ? List.of(atom.text())
                    : setting.strings().stream().map(XlValue.Atom::text).toList();
            for (String device : devices) {
                if (device.equals("tablet")) {
                    definition.usbTablet(true);
                } else if (device.matches("host:[0-9a-fA-F]{4}:[0-9a-fA-F]{4}")) {
                    String ids = device.substring("host:".length()).toLowerCase(java.util.Locale.ROOT);
                    usbRules.add(new UsbRule(null, null, ids, null, null));
                    note("usbdevice", setting.line(), "the host's USB device " + ids + " becomes a rule: it goes to this VM"
                            + " whenever it is plugged in");
                } else if (device.startsWith("host:")) {
                    unsupported("usbdevice", setting.line(), "'" + device + "' names a USB device by bus and address, which"
                            + " change each time it is plugged in; give it by its ids or port instead (polyctl usb list,"
                            + " polyctl usb rule add VM --id VVVV:PPPP or --port PORT)");
                } else {
                    unsupported("usbdevice", setting.line(), "the emulated USB device '" + device + "' is not kept; keyboard"
                            + " and mouse come through Polydesk's input server, and a VM may have a USB tablet");
                }
            }
            if (usb.isPresent() && !usb.get().flag() && devices.contains("tablet")) {
                note("usb", usb.get().line(), "usb = 0 with usbdevice = \"tablet\": the tablet is kept, with its USB controller");
            }
        }
        if (usbdevice.isEmpty() && usb.isPresent() && usb.get().flag()) {
            note("usb", usb.get().line(), "left out (harmless): a USB controller with no device on it");
        }
        // Polydesk's VM always has QEMU's standard VGA: the adapter its VNC screen comes from.
        String adapter = vga.isPresent() ? vga.get().string() : stdvga.isPresent() && stdvga.get().flag() ? "stdvga" : null;
        if (adapter != null && !adapter.equals("stdvga")) {
            XlSetting setting = vga.isPresent() ? vga.get() : stdvga.get();
            note(setting.key(), setting.line(), "the " + adapter + " adapter becomes the standard VGA (stdvga),"
                    + " which every Polydesk VM has for its screen");
        } else if (adapter == null && stdvga.isPresent()) {
            note("stdvga", stdvga.get().line(), "stdvga = 0 (cirrus) becomes the standard VGA, which every Polydesk VM"
                    + " has for its screen");
        }
    }

    /** xl's viridian: a switch for xl's default groups, or a list of groups, "defaults", "all" and "!group". */
    private List<HypervFeature> viridianGroups(XlSetting setting) throws XlConfigException {
        java.util.LinkedHashSet<HypervFeature> groups = new java.util.LinkedHashSet<>();
        if (setting.value() instanceof XlValue.Atom) {
            if (setting.flag()) {
                groups.addAll(HypervFeature.XL_DEFAULTS);
            }
            return List.copyOf(groups);
        }
        List<HypervFeature> removed = new ArrayList<>();
        for (XlValue.Atom atom : setting.strings()) {
            String name = atom.text();
            boolean disable = name.startsWith("!");
            String group = disable ? name.substring(1) : name;
            List<HypervFeature> named;
            if (group.equals("defaults")) {
                named = HypervFeature.XL_DEFAULTS;
            } else if (group.equals("all")) {
                named = List.of(HypervFeature.values());
            } else if (HypervFeature.fromWireName(group) != null) {
                named = List.of(HypervFeature.fromWireName(group));
            } else {
                throw new XlConfigException(atom.line(), "viridian group '" + group + "' is unknown; expected base, freq,"
                        + " time_ref_count, reference_tsc, hcall_remote_tlb_flush, apic_assist, crash_ctl, synic, stimer,"
                        + " hcall_ipi, ex_processor_masks, no_vp_limit, cpu_hotplug, defaults or all");
            }
            if (disable) {
                removed.addAll(named);
            } else {
                groups.addAll(named);
            }
        }
        groups.removeAll(removed);
        return java.util.Arrays.stream(HypervFeature.values()).filter(groups::contains).toList();
    }

    /** xl's boot: letters tried in order, c the disk, d the CD-ROM, n the network. */
    private List<BootDevice> bootOrder(XlSetting setting) throws XlConfigException {
        List<BootDevice> order = new ArrayList<>();
        for (char c : setting.string().toCharArray()) {
            BootDevice device = BootDevice.fromXlLetter(c);
            if (c == 'a') {
                unsupported("boot", setting.line(), "the floppy (a) is left out of the boot order; a Polydesk VM has none");
            } else if (device == null) {
                throw new XlConfigException(setting.line(), "boot = \"" + setting.string() + "\" has '" + c
                        + "', which is no boot device; expected c (disk), d (CD-ROM) or n (network)");
            } else if (!order.contains(device)) {
                order.add(device);
            }
        }
        return order;
    }

    private void readDisks(GuestType type) throws XlConfigException {
        Optional<XlSetting> hdtype = take("hdtype");
        boolean ahci = false;
        if (hdtype.isPresent()) {
            String value = hdtype.get().string();
            if (type != GuestType.HVM) {
                unsupported("hdtype", hdtype.get().line(), "only HVM guests have emulated disks; xl ignores hdtype for "
                        + type.wireName() + " guests");
            } else if (value.equalsIgnoreCase("ahci")) {
                ahci = true;
            } else if (!value.equalsIgnoreCase("ide")) {
                throw new XlConfigException(hdtype.get().line(), "hdtype = \"" + value + "\" is not valid; expected ide or ahci");
            }
        }
        readDiskList(type, ahci);
    }

    private void readDiskList(GuestType type, boolean ahci) throws XlConfigException {
        Optional<XlSetting> setting = take("disk");
        if (setting.isEmpty()) {
            return;
        }
        List<Disk> disks = new ArrayList<>();
        List<XlValue.Atom> entries = setting.get().strings();
        for (int i = 0; i < entries.size(); i++) {
            XlValue.Atom entry = entries.get(i);
            String key = "disk[" + i + "]";
            XlDiskSpec spec = XlDiskSpec.parse(entry.text(), entry.line());
            spec.ignored().forEach(o -> unsupported(key + "." + o.name(), entry.line(), o.reason()));
            if (spec.target().isEmpty() || "empty".equals(spec.format())) {
                if (spec.cdrom()) {
                    disks.add(new Disk(null, null, true, null, spec.vdev())); // an empty CD drive
                } else {
                    unsupported(key, entry.line(), "a disk without media is not imported;"
                            + " only a CD drive may be empty");
                }
                continue;
            }
            if (spec.vdev() == null) {
                note(key, entry.line(), "names no vdev (xl requires one); Polydesk will choose one");
            }
            // On an HVM guest an xvdX disk is the PV disk alone, Polydesk's virtio; hdX is emulated, SATA with AHCI.
            DiskBus bus = null;
            if (type == GuestType.HVM && spec.vdev() != null && !spec.cdrom()) {
                bus = spec.vdev().startsWith("xvd") ? DiskBus.VIRTIO : ahci ? DiskBus.SATA : null;
            }
            disks.add(new Disk(spec.target(), spec.format(), spec.cdrom(), spec.readOnly(), spec.vdev(), bus));
        }
        definition.disks(disks);
    }

    private void readNics() throws XlConfigException {
        Optional<XlSetting> setting = take("vif");
        if (setting.isEmpty()) {
            return;
        }
        List<Nic> nics = new ArrayList<>();
        List<XlValue.Atom> entries = setting.get().strings();
        for (int i = 0; i < entries.size(); i++) {
            XlValue.Atom entry = entries.get(i);
            String key = "vif[" + i + "]";
            XlVifSpec spec = XlVifSpec.parse(entry.text());
            spec.ignored().forEach(o -> unsupported(key + "." + o.name(), entry.line(), o.reason()));
            String bridge = spec.bridge();
            if (bridge == null) {
                note(key, entry.line(), "names no bridge; xl's default bridge " + XL_DEFAULT_BRIDGE + " is used");
                bridge = XL_DEFAULT_BRIDGE;
            }
            nics.add(new Nic(bridge, spec.mac(), spec.model()));
        }
        definition.nics(nics);
    }

    private void readPciAndGpu(GuestType type) throws XlConfigException {
        List<String> devices = new ArrayList<>();
        Optional<XlSetting> pci = take("pci");
        if (pci.isPresent()) {
            List<XlValue.Atom> entries = pci.get().strings();
            for (int i = 0; i < entries.size(); i++) {
                XlValue.Atom entry = entries.get(i);
                String key = "pci[" + i + "]";
                XlPciSpec spec = XlPciSpec.parse(entry.text(), entry.line());
                spec.ignored().forEach(o -> unsupported(key + "." + o.name(), entry.line(), o.reason()));
                if (spec.bdf() != null) {
                    devices.add(spec.bdf());
                }
            }
        }
        Optional<XlSetting> passthru = take("gfx_passthru");
        if (passthru.isPresent() && passthrough(passthru.get(), type)) {
            if (devices.isEmpty()) {
                unsupported("gfx_passthru", passthru.get().line(), "there is no pci device to pass through as the GPU");
            } else {
                String gpu = devices.remove(0);
                definition.gpu(gpu);
                note("gfx_passthru", passthru.get().line(), gpu
                        + ", the first pci device, is taken as the VM's GPU; the other pci devices stay passed through");
            }
        }
        definition.pciDevices(devices);
    }

    /** Whether gfx_passthru asks for a GPU; a number is a switch, a string names the kind, as in xl. */
    private boolean passthrough(XlSetting setting, GuestType type) throws XlConfigException {
        if (type != GuestType.HVM) {
            unsupported(setting.key(), setting.line(),
                    "only HVM guests get graphics passthrough; xl ignores it for " + type.wireName() + " guests");
            return false;
        }
        try {
            return setting.flag();
        } catch (XlConfigException notANumber) {
            String kind = setting.string().toLowerCase(Locale.ROOT);
            if (kind.equals("igd")) {
                unsupported(setting.key(), setting.line(), "the passthrough kind igd (Intel integrated graphics)"
                        + " is not kept; Polydesk passes the GPU through with xl's default kind");
            } else if (!kind.equals("default")) {
                throw new XlConfigException(setting.line(),
                        "gfx_passthru = \"" + setting.string() + "\" is not valid; expected 0, 1, default or igd");
            }
            return true;
        }
    }

    private void reportUnhandledKeys() {
        for (String key : config.keys()) {
            XlSetting setting = config.get(key).orElseThrow();
            if (handled.contains(key) || UnimportedKeys.isDefault(setting)) {
                continue;
            }
            if (UnimportedKeys.isHarmless(key)) {
                note(key, setting.line(), "left out (harmless): " + UnimportedKeys.reason(key));
            } else {
                unsupported(key, setting.line(), UnimportedKeys.reason(key));
            }
        }
    }

    /** xl compares with strncmp(value, name, strlen(value)), so any leading part of a name is taken for it. */
    private static boolean isXlAbbreviation(String value, String name) {
        return name.startsWith(value);
    }

    private void unsupported(String key, int line, String reason) {
        unsupported.add(new ImportRemark(key, line, reason));
    }

    private void note(String key, int line, String reason) {
        notes.add(new ImportRemark(key, line, reason));
    }
}
