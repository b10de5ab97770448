package org.polydesk.protocol.vm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * A group of Hyper-V enlightenments, named as Xen's xl.cfg(5) {@code viridian} groups (the libxl
 * enumeration, so an xl.cfg round-trips unchanged); QEMU's backend turns each into its {@code hv-*}
 * CPU flags. Every group but {@code base} needs {@code base}: libxl refuses them without it.
 */
public enum HypervFeature {
    @JsonProperty("base") BASE(List.of("hv-relaxed", "hv-vapic", "hv-spinlocks=0x1fff", "hv-vpindex", "hv-runtime")),
    @JsonProperty("freq") FREQ(List.of("hv-frequencies")),
    @JsonProperty("time_ref_count") TIME_REF_COUNT(List.of("hv-time")),
    @JsonProperty("reference_tsc") REFERENCE_TSC(List.of("hv-time")),
    @JsonProperty("hcall_remote_tlb_flush") HCALL_REMOTE_TLB_FLUSH(List.of("hv-tlbflush")),
    @JsonProperty("apic_assist") APIC_ASSIST(List.of("hv-vapic")),
    @JsonProperty("crash_ctl") CRASH_CTL(List.of("hv-crash")),
    @JsonProperty("synic") SYNIC(List.of("hv-synic")),
    @JsonProperty("stimer") STIMER(List.of("hv-stimer")),
    @JsonProperty("hcall_ipi") HCALL_IPI(List.of("hv-ipi")),
    @JsonProperty("ex_processor_masks") EX_PROCESSOR_MASKS(List.of()),
    @JsonProperty("no_vp_limit") NO_VP_LIMIT(List.of()),
    @JsonProperty("cpu_hotplug") CPU_HOTPLUG(List.of());

    /** xl's {@code viridian = 1} (and "defaults"): the groups libxl turns on when none are named. */
    public static final List<HypervFeature> XL_DEFAULTS = List.of(BASE, FREQ, TIME_REF_COUNT, APIC_ASSIST, CRASH_CTL);

    /** What a Windows profile turns on: xl's defaults plus the timers, TLB flush and IPI hypercalls Windows 10/11 use. */
    public static final List<HypervFeature> WINDOWS = List.of(BASE, FREQ, TIME_REF_COUNT, REFERENCE_TSC,
            HCALL_REMOTE_TLB_FLUSH, APIC_ASSIST, CRASH_CTL, SYNIC, STIMER, HCALL_IPI);

    private final List<String> qemuFlags;

    HypervFeature(List<String> qemuFlags) {
        this.qemuFlags = qemuFlags;
    }

    /** QEMU's {@code -cpu} flags for the group; empty where QEMU has no counterpart (Xen-only groups). */
    public List<String> qemuFlags() {
        return qemuFlags;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The group of an xl / wire name, or null. */
    public static HypervFeature fromWireName(String name) {
        for (HypervFeature f : values()) {
            if (f.wireName().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
