package org.polydesk.display.rfb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.rpc.UnixSockets;

/**
 * A UNIX-domain or TCP socket in non-blocking mode. Waits go through selectors with a timeout,
 * because UNIX-domain channels have no SO_TIMEOUT; reader and writer each have their own selector
 * so that input events can be sent while the decoder thread waits for data.
 */
public final class SocketTransport implements Transport {
    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private volatile boolean closed;

    private SocketTransport(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        readSelector = Selector.open();
        writeSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        channel.register(writeSelector, SelectionKey.OP_WRITE);
    }

    public static SocketTransport connect(RfbEndpoint endpoint, Duration timeout) throws IOException {
        SocketChannel ch = null;
        try {
            if (endpoint instanceof RfbEndpoint.Unix u) {
                // A UNIX-domain connect completes or fails at once (ENOENT, ECONNREFUSED).
                ch = UnixSockets.connect(u.path());
            } else if (endpoint instanceof RfbEndpoint.Tcp t) {
                ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                if (!ch.connect(new InetSocketAddress(t.host(), t.port()))) {
                    try (Selector s = Selector.open()) {
                        ch.register(s, SelectionKey.OP_CONNECT);
                        if (s.select(Math.max(1, timeout.toMillis())) == 0) {
                            throw new IOException("connect timed out after " + timeout.toMillis() + " ms");
                        }
                    }
                    ch.finishConnect();
                }
            }
            return new SocketTransport(ch);
        } catch (IOException e) {
            if (ch != null) {
                ch.close();
            }
            throw new IOException("cannot connect to " + endpoint + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            int n = channel.read(dst);
            if (n != 0) {
                return n;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed) {
                return closed ? -1 : 0;
            }
            select(readSelector, left);
        }
    }

    @Override
    public void write(ByteBuffer src, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (src.hasRemaining()) {
            if (channel.write(src) > 0) {
                deadline = System.nanoTime() + timeoutNanos;
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new RfbProtocolException("server took no data for "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            if (closed) {
                throw new IOException("connection closed");
            }
            select(writeSelector, left);
        }
    }

    private static void select(Selector selector, long nanos) throws IOException {
        try {
            selector.selectedKeys().clear();
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
        } catch (ClosedSelectorException e) {
            // close() ran on another thread between our check and the wait.
            throw new ClosedChannelException();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            channel.close();
        } finally {
            readSelector.wakeup();
            writeSelector.wakeup();
            readSelector.close();
            writeSelector.close();
        }
    }
}
