package org.polydesk.toolstack.xlcfg;

/** An xl.cfg file that cannot be read or used, with the line it went wrong on. */
public class XlConfigException extends Exception {
    private final int line;

    public XlConfigException(int line, String problem) {
        super("line " + line + ": " + problem);
        this.line = line;
    }

    XlConfigException(int line, String location, String problem) {
        super(location + ": " + problem);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
