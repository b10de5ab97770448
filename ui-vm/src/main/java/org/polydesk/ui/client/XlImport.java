package org.polydesk.ui.client;

import java.util.List;
import org.polydesk.protocol.vm.VmDefinition;

/** The proposed {@code xlcfg.parse} answer: the definition, what it left out and what it chose. */
public record XlImport(VmDefinition definition, List<Remark> unsupported, List<Remark> notes) {
    public XlImport {
        unsupported = unsupported == null ? List.of() : List.copyOf(unsupported);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    public record Remark(String key, int line, String reason) {
        @Override
        public String toString() {
            return "line " + line + ": " + key + ": " + reason;
        }
    }
}
