package org.polydesk.toolstack.xlcfg;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code KEY = VALUE} (or {@code KEY += VALUE}) line. The readers convert the value the way xl's
 * {@code xlu_cfg_get_*} functions do, and refuse what xl would refuse, naming the key and line.
 *
 * @param appended whether the value was built with {@code +=}, which xl refuses for numbers
 */
public record XlSetting(String key, XlValue value, int line, int column, boolean appended) {

    // strtol(..., 0) as xl calls it: leading blanks, a sign, then decimal, 0x hex or 0 octal.
    private static final Pattern NUMBER = Pattern.compile("\\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)");

    /** The value as a string; a list is refused. */
    public String string() throws XlConfigException {
        if (value instanceof XlValue.Atom atom) {
            return atom.text();
        }
        throw new XlConfigException(line, key + " must be a single value, not a list");
    }

    /** The value as a number in xl's notation: decimal, {@code 0x} hex or a leading-0 octal. */
    public long number() throws XlConfigException {
        if (appended) {
            throw new XlConfigException(line, key + " is a number; xl does not allow += with numbers");
        }
        String text = string();
        Matcher m = NUMBER.matcher(text);
        if (!m.matches()) {
            throw new XlConfigException(line, key + " must be a number, not '" + text + "'");
        }
        String digits = m.group(2);
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
            radix = 16;
        } else if (digits.startsWith("0") && digits.length() > 1) {
            radix = 8;
        }
        try {
            long magnitude = Long.parseLong(digits, radix);
            return m.group(1).equals("-") ? -magnitude : magnitude;
        } catch (NumberFormatException e) {
            throw new XlConfigException(line, key + " = " + text + " is too large");
        }
    }

    /** A number that must fit in an int between {@code min} and {@code max}. */
    public int number(int min, int max) throws XlConfigException {
        long n = number();
        if (n < min || n > max) {
            throw new XlConfigException(line, key + " = " + n + " is out of range (" + min + " to " + max + ")");
        }
        return (int) n;
    }

    /** xl's boolean: a number, 0 is false and anything else true. */
    public boolean flag() throws XlConfigException {
        return number() != 0;
    }

    /** The value as a list of strings; a single value, or a list inside the list, is refused. */
    public List<XlValue.Atom> strings() throws XlConfigException {
        if (!(value instanceof XlValue.ListValue list)) {
            throw new XlConfigException(line, key + " must be a list [ ... ], not a single value");
        }
        List<XlValue.Atom> atoms = new ArrayList<>();
        for (XlValue item : list.items()) {
            if (!(item instanceof XlValue.Atom atom)) {
                throw new XlConfigException(item.line(),
                        "item " + (atoms.size() + 1) + " of " + key + " is a list; xl expects a string there");
            }
            atoms.add(atom);
        }
        return atoms;
    }
}
