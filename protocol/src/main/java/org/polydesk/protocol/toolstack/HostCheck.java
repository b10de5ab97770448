package org.polydesk.protocol.toolstack;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer to {@code host.check}: whether this machine can run Polydesk's VMs and pass a GPU to
 * one. {@code host}: one finding each for CPU virtualisation, Xen, the IOMMU, interrupt remapping
 * and memory; {@code displays}: each display controller with what it must be passed with, how it
 * can be reset, and a verdict with its reasons.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostCheck(List<Finding> host, List<Display> displays) {
    /** The findings' names, in their order. */
    public static final String CPU = "cpu-virtualisation", XEN = "xen", IOMMU = "iommu",
            INTERRUPT_REMAPPING = "interrupt-remapping", MEMORY = "memory";

    public enum Status {
        @JsonProperty("ok") OK,
        /** Works, with a limit the detail names. */
        @JsonProperty("caveat") CAVEAT,
        @JsonProperty("missing") MISSING
    }

    public record Finding(String name, Status status, String detail) {
    }

    public enum Verdict {
        @JsonProperty("assignable") ASSIGNABLE,
        @JsonProperty("assignable-with-caveats") ASSIGNABLE_WITH_CAVEATS,
        @JsonProperty("not-assignable") NOT_ASSIGNABLE
    }

    /**
     * {@code passedWith}: the other devices that go to the VM with it (its card's other functions,
     * and under Linux's IOMMU the rest of its IOMMU group); {@code resetMethods}: as the kernel
     * names them (flr, af_flr, pm, bus, device_specific); {@code reasons}: why the verdict is not
     * plain "assignable" (empty when it is); {@code monitors}: the monitors connected to it now
     * (empty when none is, or when no KMS driver has it: bound to pciback or vfio for a VM).
     */
    public record Display(String address, String vendor, String device, String driver, boolean bootVga,
                          Integer iommuGroup, List<String> passedWith, List<String> resetMethods, Verdict verdict,
                          List<String> reasons, List<Monitor> monitors) {
    }

    /**
     * A monitor on a display controller, as its DRM connector says: the kernel's name of the
     * connector (HDMI-A-1, eDP-1, DP-2), its preferred mode (WIDTHxHEIGHT), and its size in
     * millimetres from its EDID (null: the monitor does not say).
     */
    public record Monitor(String name, String mode, Integer widthMm, Integer heightMm) {
        /** "HDMI-A-1 1920x1080, 530x300 mm", for people. */
        public String describe() {
            return name + (mode == null ? "" : " " + mode) + (widthMm == null ? "" : ", " + widthMm + "x" + heightMm + " mm");
        }
    }
}
