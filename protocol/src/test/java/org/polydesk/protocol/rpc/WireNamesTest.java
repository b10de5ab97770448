package org.polydesk.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.InputSettings;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * The wire names a params record spells out as constants (for the fields of a validation error's
 * problems) are its components' names, so a renamed field cannot leave a stale name behind.
 */
class WireNamesTest {
    @Test
    void everyNameConstantOfARecordIsOneOfItsComponents() throws Exception {
        List<Class<?>> records = new ArrayList<>(List.of(VmDefinition.class, InputSettings.class, InputSettings.Hotkey.class));
        Stream.of(ToolstackApi.class, FocusBus.class).forEach(api ->
                Arrays.stream(api.getDeclaredClasses()).filter(Class::isRecord).forEach(records::add));
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Class<?> r : records) {
            Set<String> components = Arrays.stream(r.getRecordComponents()).map(RecordComponent::getName)
                    .collect(Collectors.toSet());
            for (Field f : r.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().startsWith("DEFAULT_")) {
                    checked++;
                    String value = (String) f.get(null);
                    if (!components.contains(value)) {
                        wrong.add(r.getSimpleName() + "." + f.getName() + " = \"" + value + "\" is none of " + components);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(checked >= 30, "the constants were found: " + checked);
    }
}
