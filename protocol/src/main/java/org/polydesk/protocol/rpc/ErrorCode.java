package org.polydesk.protocol.rpc;

/**
 * The stable error codes of the toolstack API. The JSON-RPC ones keep their reserved numbers;
 * ours are positive so they never collide with the reserved range.
 */
public enum ErrorCode {
    PARSE_ERROR(-32700),
    INVALID_REQUEST(-32600),
    METHOD_NOT_FOUND(-32601),
    INVALID_PARAMS(-32602),
    INTERNAL_ERROR(-32603),
    /** The definition breaks a rule; the message says which. */
    INVALID_DEFINITION(1001),
    /** No VM has that id or name. */
    NOT_FOUND(1002),
    /** The VM is in a state where this cannot be done (start a running VM, delete one that runs). */
    WRONG_STATE(1003),
    /** The hypervisor backend failed to do it (QEMU missing, a disk missing, libxl refused). */
    BACKEND_FAILED(1004),
    /** The definition store could not read or write a file. */
    STORE_FAILED(1005),
    /** The request line was longer than the framing allows. */
    LINE_TOO_LONG(1006),
    /** Another Polydesk service this request needs (input-server for focus) is not running. */
    SERVICE_UNAVAILABLE(1007),
    /** The installer will not write to that disk (the message says why, one reason a line). */
    INSTALL_REFUSED(1008),
    /** host.update will not use that file (not a Polydesk ISO, truncated, the release that runs; the message says why). */
    UPDATE_REFUSED(1009);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
