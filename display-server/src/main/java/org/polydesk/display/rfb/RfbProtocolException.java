package org.polydesk.display.rfb;

import java.io.IOException;

/**
 * The server broke the protocol or a limit of ours (bad length, rectangle out of bounds, size over
 * the cap, corrupt ZRLE data, unknown message, a stall inside a message, …). The reason says which;
 * the connection that raised it is closed and nothing else is affected.
 */
public class RfbProtocolException extends IOException {
    public RfbProtocolException(String reason) {
        super(reason);
    }

    public RfbProtocolException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
