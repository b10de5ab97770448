package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/** Turns a Jackson decoding failure into a {@link Problem} that names the field a person got wrong. */
public final class JsonProblems {
    private JsonProblems() {
    }

    /** @param prefix the path of the decoded value inside the params ("" for the params themselves) */
    public static Problem explain(String prefix, JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            String field = join(prefix, path(u));
            return new Problem(field, "unknown field '" + field + "'" + (known.isEmpty() ? "" : " (known fields: " + known + ")"));
        }
        if (e instanceof InvalidFormatException f) {
            String allowed = "";
            if (f.getTargetType() != null && f.getTargetType().isEnum()) {
                allowed = "; use one of " + Arrays.stream(f.getTargetType().getEnumConstants())
                        .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
            }
            String field = join(prefix, path(f));
            return new Problem(field, "field '" + field + "': '" + f.getValue() + "' is not a valid value" + allowed);
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = join(prefix, path(m));
            return new Problem(field, "field '" + field + "' has the wrong type (expected "
                    + (m.getTargetType() == null ? "another type" : simpleType(m.getTargetType())) + ")");
        }
        return new Problem(prefix, "not valid JSON" + (prefix.isEmpty() ? "" : " in '" + prefix + "'") + ": "
                + e.getOriginalMessage());
    }

    private static String join(String prefix, String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        return path.isEmpty() ? prefix : path.startsWith("[") ? prefix + path : prefix + "." + path;
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
        if (t == String.class || t == java.util.UUID.class || t.isEnum()) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(t)) {
            return "a list";
        }
        return "an object";
    }
}
