package org.polydesk.toolstack.xlcfg;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed xl.cfg file: every setting in file order. As in xl, the last setting of a key is the one
 * that counts; earlier ones stay visible so an import can say that they were overridden.
 */
public record XlConfig(List<XlSetting> settings) {

    public XlConfig {
        settings = List.copyOf(settings);
    }

    /** The setting of {@code key} that xl would use: the last one. */
    public Optional<XlSetting> get(String key) {
        for (int i = settings.size() - 1; i >= 0; i--) {
            if (settings.get(i).key().equals(key)) {
                return Optional.of(settings.get(i));
            }
        }
        return Optional.empty();
    }

    /** Every key once, in the order of first appearance. */
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        settings.forEach(s -> keys.add(s.key()));
        return keys;
    }
}
