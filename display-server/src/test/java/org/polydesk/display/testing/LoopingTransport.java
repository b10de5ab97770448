package org.polydesk.display.testing;

import java.nio.ByteBuffer;
import org.polydesk.display.rfb.Transport;

/** Serves a prefix once, then one chunk of bytes over and over: an endless stream for benchmarks. */
public final class LoopingTransport implements Transport {
    private final byte[] prefix;
    private final byte[] cycle;
    private int pos;
    private boolean inPrefix = true;

    public LoopingTransport(byte[] prefix, byte[] cycle) {
        this.prefix = prefix;
        this.cycle = cycle;
    }

    @Override
    public int read(ByteBuffer dst, long timeoutNanos) {
        byte[] src = inPrefix ? prefix : cycle;
        int n = Math.min(dst.remaining(), src.length - pos);
        dst.put(src, pos, n);
        pos += n;
        if (pos == src.length) {
            pos = 0;
            inPrefix = false;
        }
        return n;
    }

    @Override
    public void write(ByteBuffer src, long timeoutNanos) {
        src.position(src.limit());
    }

    @Override
    public void close() {
    }
}
