package org.polydesk.display.rfb;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte stream under an RFB connection, with time limits on every wait so that a silent server
 * can never hang a reader or a writer. {@link SocketTransport} is the real one; tests feed bytes
 * from memory.
 */
public interface Transport extends Closeable {

    /**
     * Reads what is available into {@code dst}, waiting at most {@code timeoutNanos} for the first
     * byte. Returns the count read, 0 if the time ran out, -1 at the end of the stream.
     */
    int read(ByteBuffer dst, long timeoutNanos) throws IOException;

    /** Writes all of {@code src}, failing if the peer takes none of it for {@code timeoutNanos}. */
    void write(ByteBuffer src, long timeoutNanos) throws IOException;
}
