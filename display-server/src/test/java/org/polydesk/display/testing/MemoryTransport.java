package org.polydesk.display.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.polydesk.display.rfb.Transport;

/** A server stream from memory, ending (EOF) after its last byte; what the client writes is kept. */
public final class MemoryTransport implements Transport {
    private final byte[] data;
    private final int chunk;
    private int pos;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    /** Hands the data out at most {@code chunk} bytes per read, to exercise split fields. */
    public MemoryTransport(byte[] data, int chunk) {
        this.data = data;
        this.chunk = chunk;
    }

    public MemoryTransport(byte[] data) {
        this(data, Integer.MAX_VALUE);
    }

    @Override
    public int read(ByteBuffer dst, long timeoutNanos) {
        if (pos == data.length) {
            return -1;
        }
        int n = Math.min(Math.min(chunk, dst.remaining()), data.length - pos);
        dst.put(data, pos, n);
        pos += n;
        return n;
    }

    @Override
    public synchronized void write(ByteBuffer src, long timeoutNanos) {
        byte[] b = new byte[src.remaining()];
        src.get(b);
        written.writeBytes(b);
    }

    public synchronized byte[] written() {
        return written.toByteArray();
    }

    @Override
    public void close() {
    }
}
