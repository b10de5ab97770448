package org.polydesk.toolstack.xlcfg;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads xl.cfg(5) text with the grammar of xl's own parser (libxlu_cfg_y.y): settings
 * {@code KEY = VALUE} or {@code KEY += VALUE}, each ended by a newline or {@code ;}; a value is an
 * atom or a {@code [list]} that may span lines and end with a comma. The first error stops the parse.
 */
public final class XlConfigParser {
    private final XlConfigLexer lexer;
    private final List<XlSetting> settings = new ArrayList<>();
    private XlToken token;

    private XlConfigParser(String text) {
        lexer = new XlConfigLexer(text);
    }

    public static XlConfig parse(String text) throws XlSyntaxException {
        XlConfigParser parser = new XlConfigParser(text);
        parser.parseFile();
        return new XlConfig(parser.settings);
    }

    private void parseFile() throws XlSyntaxException {
        advance();
        while (token.kind() != XlToken.Kind.END) {
            switch (token.kind()) {
                case NEWLINE, SEMICOLON -> advance();
                case KEY -> {
                    parseSetting();
                    if (token.kind() != XlToken.Kind.NEWLINE && token.kind() != XlToken.Kind.SEMICOLON
                            && token.kind() != XlToken.Kind.END) {
                        throw error("expected the end of the line or ';' after the value of "
                                + settings.get(settings.size() - 1).key());
                    }
                }
                default -> throw error("expected a setting (a lower-case key followed by '=')");
            }
        }
    }

    private void parseSetting() throws XlSyntaxException {
        XlToken key = token;
        advance();
        boolean append = token.kind() == XlToken.Kind.APPEND;
        if (token.kind() != XlToken.Kind.ASSIGN && !append) {
            throw error("expected '=' or '+=' after the key " + key.text());
        }
        XlToken operator = token;
        advance();
        XlValue value = parseValue(key.text());
        if (append) {
            value = appendToEarlier(key.text(), value, operator);
        }
        settings.add(new XlSetting(key.text(), value, key.line(), key.column(), append));
    }

    private XlValue parseValue(String key) throws XlSyntaxException {
        XlToken start = token;
        switch (start.kind()) {
            case STRING, NUMBER -> {
                advance();
                return new XlValue.Atom(start.text(), start.line(), start.column());
            }
            case OPEN -> {
                advance();
                return parseListRest(key, start);
            }
            default -> throw error("expected a value for " + key + ": a \"string\", a number or a [list]");
        }
    }

    /** After '[': values separated by commas; newlines anywhere between them; a trailing comma allowed. */
    private XlValue parseListRest(String key, XlToken open) throws XlSyntaxException {
        List<XlValue> items = new ArrayList<>();
        skipNewlines();
        while (token.kind() != XlToken.Kind.CLOSE) {
            items.add(parseValue(key));
            skipNewlines();
            if (token.kind() == XlToken.Kind.COMMA) {
                advance();
                skipNewlines();
            } else if (token.kind() != XlToken.Kind.CLOSE) {
                throw error("expected ',' or ']' in the list of " + key + " opened on line " + open.line());
            }
        }
        advance();
        return new XlValue.ListValue(items, open.line(), open.column());
    }

    /** {@code +=} joins strings to strings and lists to lists, as xl does; on a new key it just sets. */
    private XlValue appendToEarlier(String key, XlValue added, XlToken operator) throws XlSyntaxException {
        XlSetting earlier = null;
        for (XlSetting s : settings) {
            if (s.key().equals(key)) {
                earlier = s;
            }
        }
        if (earlier == null) {
            return added;
        }
        if (earlier.value() instanceof XlValue.Atom a && added instanceof XlValue.Atom b) {
            return new XlValue.Atom(a.text() + b.text(), b.line(), b.column());
        }
        if (earlier.value() instanceof XlValue.ListValue a && added instanceof XlValue.ListValue b) {
            List<XlValue> joined = new ArrayList<>(a.items());
            joined.addAll(b.items());
            return new XlValue.ListValue(joined, b.line(), b.column());
        }
        throw new XlSyntaxException(operator.line(), operator.column(),
                "'+=' cannot add a list to a string or a string to a list (" + key + " is set on line "
                        + earlier.line() + ")");
    }

    private void skipNewlines() throws XlSyntaxException {
        while (token.kind() == XlToken.Kind.NEWLINE) {
            advance();
        }
    }

    private void advance() throws XlSyntaxException {
        token = lexer.next();
    }

    private XlSyntaxException error(String expected) {
        return new XlSyntaxException(token.line(), token.column(), expected + ", found " + token.describe());
    }
}
