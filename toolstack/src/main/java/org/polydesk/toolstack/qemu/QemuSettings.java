package org.polydesk.toolstack.qemu;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the QEMU backend runs its VMs.
 *
 * @param binary      the qemu-system-x86_64 to run; a bare name is looked up on PATH
 * @param accel       "kvm", "tcg" or "auto" (KVM when {@link KvmProbe} finds it works, else TCG)
 * @param runDir      where the per-VM socket directories go ({@code <runDir>/vm/<id>/})
 * @param uefiFirmware the OVMF image used for firmware=uefi
 * @param startTimeout how long a starting QEMU may take to open its monitor
 */
public record QemuSettings(String binary, String accel, Path runDir, Path uefiFirmware, Duration startTimeout) {
    public static final String DEFAULT_BINARY = "qemu-system-x86_64";
    public static final Path DEFAULT_OVMF = Path.of("/usr/share/ovmf/OVMF.fd");

    public static QemuSettings defaults(Path runDir) {
        return new QemuSettings(DEFAULT_BINARY, "auto", runDir, DEFAULT_OVMF, Duration.ofSeconds(20));
    }

}
