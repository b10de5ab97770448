package org.polydesk.toolstack.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.polydesk.protocol.rpc.JsonProblems;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.VmDefinition;

/** Turns JSON into a {@link VmDefinition}, naming the field a person got wrong when it cannot. */
public final class DefinitionJson {
    private DefinitionJson() {
    }

    public static VmDefinition read(String json) throws InvalidDefinitionException {
        try {
            return Json.mapper().readValue(json, VmDefinition.class);
        } catch (JsonProcessingException e) {
            throw new InvalidDefinitionException(JsonProblems.explain("", e));
        }
    }

    public static String write(VmDefinition def) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(def) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a VM definition always serialises", e);
        }
    }
}
