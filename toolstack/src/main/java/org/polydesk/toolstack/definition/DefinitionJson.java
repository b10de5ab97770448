package org.polydesk.toolstack.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.stream.Collectors;
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
            throw new InvalidDefinitionException(explain(e));
        }
    }

    public static VmDefinition read(JsonNode json) throws InvalidDefinitionException {
        if (json == null || !json.isObject()) {
            throw new InvalidDefinitionException("a VM definition must be a JSON object");
        }
        try {
            return Json.mapper().treeToValue(json, VmDefinition.class);
        } catch (JsonProcessingException e) {
            throw new InvalidDefinitionException(explain(e));
        }
    }

    public static String write(VmDefinition def) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(def) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a VM definition always serialises", e);
        }
    }

    static String explain(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return "unknown field '" + path(u) + "'" + (known.isEmpty() ? "" : " (known fields: " + known + ")");
        }
        if (e instanceof InvalidFormatException f) {
            String allowed = "";
            if (f.getTargetType() != null && f.getTargetType().isEnum()) {
                allowed = "; use one of " + java.util.Arrays.stream(f.getTargetType().getEnumConstants())
                        .map(c -> c.toString().toLowerCase()).collect(Collectors.joining(", "));
            }
            return "field '" + path(f) + "': '" + f.getValue() + "' is not a valid value" + allowed;
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            return "field '" + path(m) + "' has the wrong type (expected "
                    + (m.getTargetType() == null ? "another type" : simpleType(m.getTargetType())) + ")";
        }
        return "not valid JSON: " + e.getOriginalMessage();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String simpleType(Class<?> t) {
        if (Number.class.isAssignableFrom(t) || t == int.class || t == long.class) {
            return "a number";
        }
        if (t == String.class || t == java.util.UUID.class) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(t)) {
            return "a list";
        }
        return "an object";
    }
}
