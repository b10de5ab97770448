package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.ErrorCode;

/** A request that fails with a stable code and a message for the person who made it. */
public class RpcException extends Exception {
    private final ErrorCode code;

    public RpcException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
