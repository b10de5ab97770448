package org.polydesk.toolstack.qemu;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the QEMU backend runs its VMs.
 *
 * @param binary      the qemu-system-x86_64 to run; a bare name is looked up on PATH
 * @param accel       "kvm", "tcg" or "auto" (KVM when {@link KvmProbe} finds it works, else TCG)
 * @param runDir      where the per-VM socket directories go ({@code <runDir>/vm/<id>/})
 * @param stateDir    polydeskd's definitions directory; each VM's UEFI variables and TPM state
 *                    live in {@code <stateDir>/<id>/}
 * @param ovmf        the UEFI firmware and variable templates for firmware=uefi
 * @param swtpm       the swtpm binary that gives a VM its TPM 2.0; a bare name is looked up on PATH
 * @param startTimeout how long a starting QEMU may take to open its monitor
 * @param soundServer  dom0's sound server (its PulseAudio socket) that VMs play into and record
 *                     from; {@code null}, or nothing answering there, starts VMs silent
 */
public record QemuSettings(String binary, String accel, Path runDir, Path stateDir, Ovmf ovmf, String swtpm,
                           Duration startTimeout, Path soundServer) {
    public static final String DEFAULT_BINARY = "qemu-system-x86_64";
    public static final String DEFAULT_SWTPM = "swtpm";

    /**
     * OVMF's code and its variable-store templates (Debian's ovmf package, 4 MiB flash layout).
     * {@code secureCode} is built with Secure Boot and needs SMM; {@code secureVars} has Microsoft's
     * keys enrolled and Secure Boot on, as Windows 11 expects.
     */
    public record Ovmf(Path code, Path vars, Path secureCode, Path secureVars) {
        public static final Ovmf DEBIAN = new Ovmf(Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"),
                Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), Path.of("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"),
                Path.of("/usr/share/OVMF/OVMF_VARS_4M.ms.fd"));

        public Path code(boolean secureBoot) {
            return secureBoot ? secureCode : code;
        }

        public Path varsTemplate(boolean secureBoot) {
            return secureBoot ? secureVars : vars;
        }
    }

    public static QemuSettings defaults(Path runDir, Path stateDir) {
        return new QemuSettings(DEFAULT_BINARY, "auto", runDir, stateDir, Ovmf.DEBIAN, DEFAULT_SWTPM,
                Duration.ofSeconds(20), null);
    }
}
