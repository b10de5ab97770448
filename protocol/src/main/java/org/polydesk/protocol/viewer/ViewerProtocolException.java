package org.polydesk.protocol.viewer;

/** The other end broke the viewer channel's contract; the channel must be closed. */
public final class ViewerProtocolException extends java.io.IOException {
    public ViewerProtocolException(String message) {
        super(message);
    }
}
