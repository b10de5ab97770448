package org.polydesk.toolstack.xlcfg;

/**
 * Splits xl.cfg text into tokens as xl's flex scanner (libxlu_cfg_l.l) does: keys are
 * {@code [a-z][._0-9a-z]*}, numbers {@code [0-9][0-9a-fx]*}, strings are single- or double-quoted on
 * one line, {@code #} starts a comment to the end of the line, and only spaces and tabs are blank.
 */
final class XlConfigLexer {
    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    XlConfigLexer(String text) {
        this.text = text;
    }

    XlToken next() throws XlSyntaxException {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
        int column = pos - lineStart + 1;
        if (pos >= text.length()) {
            return new XlToken(XlToken.Kind.END, "", line, column);
        }
        char c = text.charAt(pos);
        if (c == '#' || c == '\n') {
            // A comment ends its line; xl's scanner needs the newline after it, we also accept the end of the file.
            int tokenLine = line;
            int end = text.indexOf('\n', pos);
            pos = end < 0 ? text.length() : end + 1;
            if (end >= 0) {
                line++;
                lineStart = pos;
            }
            return new XlToken(XlToken.Kind.NEWLINE, "\n", tokenLine, column);
        }
        if (c >= 'a' && c <= 'z') {
            return word(XlToken.Kind.KEY, "._0123456789abcdefghijklmnopqrstuvwxyz", column);
        }
        if (c >= '0' && c <= '9') {
            return word(XlToken.Kind.NUMBER, "0123456789abcdefx", column);
        }
        if (c == '"' || c == '\'') {
            return string(c, column);
        }
        XlToken.Kind punctuation = switch (c) {
            case ',' -> XlToken.Kind.COMMA;
            case '[' -> XlToken.Kind.OPEN;
            case ']' -> XlToken.Kind.CLOSE;
            case '=' -> XlToken.Kind.ASSIGN;
            case ';' -> XlToken.Kind.SEMICOLON;
            default -> null;
        };
        if (punctuation != null) {
            pos++;
            return new XlToken(punctuation, String.valueOf(c), line, column);
        }
        if (text.startsWith("+=", pos)) {
            pos += 2;
            return new XlToken(XlToken.Kind.APPEND, "+=", line, column);
        }
        throw new XlSyntaxException(line, column, unexpected(c));
    }

    private XlToken word(XlToken.Kind kind, String allowed, int column) {
        int start = pos;
        while (pos < text.length() && allowed.indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        return new XlToken(kind, text.substring(start, pos), line, column);
    }

    private XlToken string(char quote, int column) throws XlSyntaxException {
        StringBuilder value = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw new XlSyntaxException(line, column,
                        "the string is not closed: expected " + quote + " before the end of the line");
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                return new XlToken(XlToken.Kind.STRING, value.toString(), line, column);
            }
            if (c == '\\') {
                value.append(escape(pos - lineStart));
            } else {
                value.append(c);
            }
        }
    }

    /** The character a backslash escape stands for; xl's dequoting (libxlu_cfg.c) knows these. */
    private char escape(int backslashColumn) throws XlSyntaxException {
        if (pos >= text.length() || text.charAt(pos) == '\n') {
            throw new XlSyntaxException(line, backslashColumn,
                    "a backslash at the end of the line; strings cannot continue on the next line");
        }
        char c = text.charAt(pos++);
        return switch (c) {
            case '"', '\'', '\\' -> c;
            case 'a' -> '\007';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'v' -> '\013';
            // xl's code for numeric escapes never yields the character, so no config can rely on them.
            case 'x', '0', '1', '2', '3', '4', '5', '6', '7' -> throw new XlSyntaxException(line, backslashColumn,
                    "numeric escape \\" + c + "...: xl does not decode these; write the character itself");
            default -> throw new XlSyntaxException(line, backslashColumn,
                    "unknown escape \\" + c + "; expected one of \\\" \\' \\\\ \\a \\b \\f \\n \\r \\t \\v");
        };
    }

    private static String unexpected(char c) {
        if (c == '\r') {
            return "carriage return (Windows line end): xl reads only Unix line ends";
        }
        String shown = Character.isISOControl(c) ? String.format("U+%04X", (int) c) : "'" + c + "'";
        if (c >= 'A' && c <= 'Z') {
            return "unexpected character " + shown + ": keys are lower case";
        }
        if ("+-.():".indexOf(c) >= 0) {
            return "unexpected character " + shown
                    + ": xl.cfg is not Python; values are \"strings\", numbers and [lists] only";
        }
        return "unexpected character " + shown;
    }
}
