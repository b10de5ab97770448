package org.polydesk.toolstack.libxl;

/** A libxl call failed; {@code rc} is libxl's ERROR_* code. */
public class LibxlException extends Exception {
    private final int rc;

    public LibxlException(String message, int rc) {
        super(message + (rc == 0 ? "" : " (libxl error " + rc + ")"));
        this.rc = rc;
    }

    public int rc() {
        return rc;
    }
}
