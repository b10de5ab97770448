package org.polydesk.toolstack.xlcfg;

import java.util.List;

/**
 * A value in an xl.cfg file. xl itself knows only two kinds: an atom (a quoted string or a bare
 * number, both kept as text and converted when a key is read) and a bracketed list of values.
 */
public sealed interface XlValue {

    /** Where the value starts, 1-based. */
    int line();

    int column();

    /** A quoted string, already unescaped, or a number exactly as written. */
    record Atom(String text, int line, int column) implements XlValue {
    }

    /** {@code [ ... ]}; xl allows lists inside lists, though no key Polydesk reads uses them. */
    record ListValue(List<XlValue> items, int line, int column) implements XlValue {
        public ListValue {
            items = List.copyOf(items);
        }
    }
}
