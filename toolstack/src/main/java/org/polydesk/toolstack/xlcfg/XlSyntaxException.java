package org.polydesk.toolstack.xlcfg;

/** Text that is not xl.cfg(5) syntax; the message names the line, the column and what was expected. */
public final class XlSyntaxException extends XlConfigException {
    private final int column;

    public XlSyntaxException(int line, int column, String problem) {
        super(line, "line " + line + ", column " + column, problem);
        this.column = column;
    }

    public int column() {
        return column;
    }
}
