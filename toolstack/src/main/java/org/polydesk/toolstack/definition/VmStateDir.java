package org.polydesk.toolstack.definition;

import java.nio.file.Path;
import java.util.UUID;

/**
 * What a VM keeps between its runs besides its definition, in {@code <state-dir>/<id>/} next to
 * {@code <id>.json}: its UEFI variable store (boot entries, Secure Boot keys) and its TPM's state.
 * It is made on the VM's first start that needs it and deleted with the VM.
 */
public record VmStateDir(Path path) {
    public static VmStateDir of(Path stateDir, UUID id) {
        return new VmStateDir(stateDir.resolve(id.toString()));
    }

    /**
     * The VM's UEFI variables; a Secure Boot VM has its own file, begun from the template with
     * Microsoft's keys enrolled, so turning Secure Boot on or off never mixes the two kinds.
     */
    public Path uefiVars(boolean secureBoot) {
        return path.resolve(secureBoot ? "efivars-secboot.fd" : "efivars.fd");
    }

    /** swtpm's state directory (tpm2-00.permall): the TPM's keys and NVRAM. */
    public Path tpmState() {
        return path.resolve("tpm");
    }
}
