package org.polydesk.toolstack.xlcfg;

/** One token of xl.cfg text and where it starts (1-based). {@code text} is unescaped for strings. */
record XlToken(Kind kind, String text, int line, int column) {

    enum Kind { KEY, NUMBER, STRING, COMMA, OPEN, CLOSE, ASSIGN, APPEND, SEMICOLON, NEWLINE, END }

    /** How an error message names this token. */
    String describe() {
        return switch (kind) {
            case KEY -> "the name '" + text + "'";
            case NUMBER -> "the number " + text;
            case STRING -> "a string";
            case NEWLINE -> "the end of the line";
            case END -> "the end of the file";
            default -> "'" + text + "'";
        };
    }
}
