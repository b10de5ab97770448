package org.polydesk.protocol.toolstack;

import java.util.List;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * What an xl.cfg import produced. Polydesk's own fields (slot, colour, display size, autostart) are
 * left unset or at their defaults for the caller to assign.
 *
 * @param unsupported every key, or option inside a list entry, that the definition does not hold
 * @param notes choices the import made that a person should know of, such as which device became the GPU
 */
public record XlImportResult(VmDefinition definition, List<ImportRemark> unsupported, List<ImportRemark> notes) {

    public XlImportResult {
        unsupported = List.copyOf(unsupported);
        notes = List.copyOf(notes);
    }
}
