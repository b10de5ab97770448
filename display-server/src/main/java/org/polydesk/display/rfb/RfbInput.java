package org.polydesk.display.rfb;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Buffered reads of RFB fields from a {@link Transport}. Protocol fields are big-endian; pixels are
 * in the little-endian 32-bit format the client asked for. Every wait for data is bounded by the
 * read timeout, so a server that stops inside a message is an error, never a hang. Never allocates
 * in proportion to anything the server declares.
 */
final class RfbInput {
    static final int BUFFER_SIZE = 256 * 1024;

    private final Transport transport;
    private final long readTimeoutNanos;
    /** Read mode between calls: position = next unread byte, limit = end of data. */
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_SIZE);
    /** The same memory, little-endian, for pixels. */
    private final ByteBuffer le = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);

    RfbInput(Transport transport, long readTimeoutNanos) {
        this.transport = transport;
        this.readTimeoutNanos = readTimeoutNanos;
        buf.limit(0);
    }

    /**
     * Waits up to {@code timeoutNanos} for the start of the next message. False if none came: an
     * idle server is normal (QEMU answers an incremental request only when something changed).
     */
    boolean awaitMessage(long timeoutNanos) throws IOException {
        if (buf.hasRemaining()) {
            return true;
        }
        return fillOnce(timeoutNanos);
    }

    int u8() throws IOException {
        require(1);
        return buf.get() & 0xff;
    }

    int u16() throws IOException {
        require(2);
        return buf.getShort() & 0xffff;
    }

    int s32() throws IOException {
        require(4);
        return buf.getInt();
    }

    long u32() throws IOException {
        return s32() & 0xffffffffL;
    }

    void readFully(byte[] dst, int off, int len) throws IOException {
        while (len > 0) {
            if (!buf.hasRemaining()) {
                fill();
            }
            int n = Math.min(len, buf.remaining());
            buf.get(dst, off, n);
            off += n;
            len -= n;
        }
    }

    /**
     * Takes between 1 and {@code max} bytes as a view of the buffer, valid until the next read
     * from this input: what is buffered, or what the next read brings. Saves a copy for a consumer
     * that reads the bytes before asking for more (zlib).
     */
    ByteBuffer take(int max) throws IOException {
        if (!buf.hasRemaining()) {
            fill();
        }
        int n = Math.min(max, buf.remaining());
        int p = buf.position();
        buf.position(p + n);
        return buf.duplicate().position(p).limit(p + n);
    }

    void skip(long n) throws IOException {
        while (n > 0) {
            if (!buf.hasRemaining()) {
                fill();
            }
            int k = (int) Math.min(n, buf.remaining());
            buf.position(buf.position() + k);
            n -= k;
        }
    }

    /**
     * Fills {@code dst} from its position to its limit: first with what is buffered, then, for
     * what is larger than the buffer, straight from the transport (one copy, from the socket into
     * place).
     */
    void readFully(ByteBuffer dst) throws IOException {
        takeBuffered(dst);
        while (dst.remaining() >= BUFFER_SIZE) {
            int n = transport.read(dst, readTimeoutNanos);
            if (n < 0) {
                throw new EOFException("server closed the connection");
            }
            if (n == 0) {
                throw stalled();
            }
        }
        while (dst.hasRemaining()) {
            if (!buf.hasRemaining()) {
                fill();
            }
            takeBuffered(dst);
        }
    }

    /** Moves what is buffered, as much as {@code dst} takes, into {@code dst}. */
    private void takeBuffered(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), buf.remaining());
        int p = buf.position();
        dst.put(buf.slice(p, n));
        buf.position(p + n);
    }

    /** Reads {@code count} 32-bit little-endian pixels into {@code dst} as opaque ARGB. */
    void readPixels(int[] dst, int off, int count) throws IOException {
        while (count > 0) {
            require(4);
            int n = Math.min(count, buf.remaining() >>> 2);
            int p = buf.position();
            // A bulk view get is a memory copy on little-endian hosts; the loop below then
            // vectorises. The padding byte is the server's (QEMU copies the guest's X byte).
            le.limit(p + n * 4).position(p);
            le.asIntBuffer().get(dst, off, n);
            for (int i = off, end = off + n; i < end; i++) {
                dst[i] |= 0xFF000000;
            }
            buf.position(p + n * 4);
            off += n;
            count -= n;
        }
    }

    /** Makes at least {@code n} (≤ the buffer size) bytes available. */
    private void require(int n) throws IOException {
        while (buf.remaining() < n) {
            fill();
        }
    }

    private void fill() throws IOException {
        if (!fillOnce(readTimeoutNanos)) {
            throw stalled();
        }
    }

    private RfbProtocolException stalled() {
        return new RfbProtocolException("server stopped inside a message: no data for "
                + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms");
    }

    private boolean fillOnce(long timeoutNanos) throws IOException {
        buf.compact();
        int n;
        try {
            n = transport.read(buf, timeoutNanos);
        } finally {
            buf.flip();
        }
        if (n < 0) {
            throw new EOFException("server closed the connection");
        }
        return n > 0;
    }
}
