package org.polydesk.toolstack.xlcfg;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The xl keys an import does not carry into a definition: which of their values are xl's defaults
 * (so nothing is lost), and for the others the reason a person is given.
 */
final class UnimportedKeys {

    private static final Map<String, String> DEFAULT_VALUES = Map.of(
            "on_poweroff", "destroy",
            "on_reboot", "restart",
            "on_crash", "destroy",
            "on_watchdog", "destroy",
            "on_soft_reset", "soft-reset",
            "device_model_version", "qemu-xen");

    /** Switches xl turns on by default: writing them as 1 changes nothing. */
    private static final Set<String> ON_BY_DEFAULT = Set.of("acpi", "apic", "pae", "hap");

    /** Switches xl leaves off by default: writing them as 0 changes nothing. */
    private static final Set<String> OFF_BY_DEFAULT = Set.of("sdl", "opengl", "nographic");

    private static final Map<String, String> REASONS = new HashMap<>();

    static {
        reason("ignored: Polydesk sets up the VM's display (adapter, VNC server) itself",
                "videoram", "vnc", "vncdisplay", "vnclisten", "vncunused", "vncpasswd", "vncviewer",
                "sdl", "opengl", "display", "xauthority", "keymap", "nographic", "vfb", "vkb", "vkb_device",
                "spice", "spiceport", "spicetls_port", "spicehost", "spicedisable_ticketing", "spicepasswd",
                "spiceagent_mouse", "spicevdagent", "spice_clipboard_sharing", "spiceusbredirection",
                "spice_image_compression", "spice_streaming_video");
        reason("ignored: Polydesk uses the VM's serial port itself (for the viewer channel)", "serial");
        reason("ignored: Polydesk passes its own arguments to the device model",
                "device_model_args", "device_model_args_hvm", "device_model_args_pv");
        reason("ignored: every Polydesk VM has a USB 3 controller (xHCI)", "usbversion");
        reason("ignored: on by default, and Polydesk keeps it on", "acpi", "apic", "pae", "hap", "nx", "hpet",
                "acpi_s3", "acpi_s4", "vpt_align", "xen_platform_pci");
        reason("ignored: Polydesk keeps the hypervisor's timer and TSC defaults", "timer_mode", "tsc_mode");
        reason("Polydesk gives each VM a fixed amount of memory", "maxmem");
        reason("Polydesk starts a VM with all of its vCPUs online (no vCPU hot-plug)", "maxvcpus");
        reason("Polydesk keeps a VM's shutdown actions at xl's defaults"
                + " (destroy on power-off and crash, restart on reboot)",
                "on_poweroff", "on_reboot", "on_crash", "on_watchdog", "on_soft_reset");
    }

    /**
     * Keys whose loss does not change what the guest can do: the display and serial setup Polydesk
     * makes itself, switches that are on anyway, timer tuning. A file whose only unmapped keys are
     * these imports with a note instead of a refusal.
     */
    private static final Set<String> HARMLESS = Set.of("videoram", "vnc", "vncdisplay", "vnclisten", "vncunused",
            "vncpasswd", "vncviewer", "sdl", "opengl", "display", "xauthority", "keymap", "nographic", "vfb", "vkb",
            "vkb_device", "spice", "spiceport", "spicetls_port", "spicehost", "spicedisable_ticketing", "spicepasswd",
            "spiceagent_mouse", "spicevdagent", "spice_clipboard_sharing", "spiceusbredirection",
            "spice_image_compression", "spice_streaming_video", "serial", "usbversion", "acpi", "apic", "pae", "hap",
            "nx", "hpet", "acpi_s3", "acpi_s4", "vpt_align", "xen_platform_pci", "timer_mode", "tsc_mode",
            "on_watchdog", "on_soft_reset", "device_model_version");

    private UnimportedKeys() {
    }

    private static void reason(String reason, String... keys) {
        for (String key : keys) {
            REASONS.put(key, reason);
        }
    }

    /** Whether the setting only restates what xl does without it. */
    static boolean isDefault(XlSetting setting) {
        try {
            if (ON_BY_DEFAULT.contains(setting.key())) {
                return setting.flag();
            }
            if (OFF_BY_DEFAULT.contains(setting.key())) {
                return !setting.flag();
            }
            return setting.string().equals(DEFAULT_VALUES.get(setting.key()));
        } catch (XlConfigException notTheDefaultForm) {
            return false;
        }
    }

    /** Whether leaving the key out changes nothing a guest relies on (see {@link #HARMLESS}). */
    static boolean isHarmless(String key) {
        return HARMLESS.contains(key);
    }

    static String reason(String key) {
        return REASONS.getOrDefault(key, "a Polydesk VM definition has no equivalent, so it is not imported");
    }
}
