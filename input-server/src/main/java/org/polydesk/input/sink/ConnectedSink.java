package org.polydesk.input.sink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.UnixSockets;

/**
 * The part every sink shares: a bounded queue of finished messages and a writer thread that owns
 * the connection, so the router never waits on a peer. The writer connects on first use and again
 * after a failure (at most once a second); while there is no connection, messages are dropped and
 * the log says so once per outage. A peer that stops reading fills the queue and loses the newest
 * messages, never the router's time.
 *
 * @param <M> a message ready to write
 */
abstract class ConnectedSink<M> implements InputSink {
    private static final Logger LOG = Logger.getLogger(ConnectedSink.class.getName());
    private static final int QUEUE = 1024;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Object STOP = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private volatile boolean closed;
    private volatile LongConsumer written = t -> { };
    private volatile boolean connected;
    private boolean outageLogged;
    private long lastAttempt = Long.MIN_VALUE / 2;
    private long dropped;
    /** The connection to the peer's UNIX socket, when the sink writes it itself; only the writer thread touches it. */
    private SocketChannel channel;
    /** What {@link #connect()} opened, closed when the connection is lost; only the writer thread touches it. */
    private Closeable connection;

    ConnectedSink(String threadName) {
        writer = new Thread(this::writeLoop, threadName);
        writer.setDaemon(true);
    }

    final void start() {
        writer.start();
    }

    /** Opens the connection and does the protocol's handshake; called on the writer thread. */
    abstract void connect() throws IOException;

    /** Writes one message on the open connection; called on the writer thread. */
    abstract void write(M message) throws IOException;

    /** Opens the connection to {@code socket}, for {@link #connect()}; closed by the writer on failure. */
    final SocketChannel open(Path socket) throws IOException {
        channel = own(UnixSockets.connect(socket));
        return channel;
    }

    /** Opens the connection to {@code address} (a UNIX socket or TCP), for {@link #connect()}. */
    final SocketChannel open(java.net.SocketAddress address) throws IOException {
        if (address instanceof java.net.UnixDomainSocketAddress unix) {
            return open(unix.getPath());
        }
        if (address instanceof java.net.InetSocketAddress inet && inet.isUnresolved()) {
            address = new java.net.InetSocketAddress(inet.getHostString(), inet.getPort()); // looked up at each connect
        }
        channel = own(SocketChannel.open(address));
        return channel;
    }

    /** Takes {@code c}, opened by {@link #connect()} (a protocol client), to be closed by the writer on failure. */
    final <C extends Closeable> C own(C c) {
        connection = c;
        return c;
    }

    final void writeAll(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    final void writeAll(byte[] bytes) throws IOException {
        writeAll(ByteBuffer.wrap(bytes));
    }

    private void disconnect() {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // gone already
            }
            connection = null;
        }
        channel = null;
    }

    /** Called with System.nanoTime() after each message is written (for the benchmark). */
    public void onWritten(LongConsumer listener) {
        written = listener;
    }

    /** Whether the connection is up now (for tests and diagnostics). */
    public boolean connected() {
        return connected;
    }

    final void enqueue(M message) {
        if (closed) {
            return;
        }
        if (!queue.offer(message)) {
            if (dropped++ % 1000 == 0) {
                LOG.warning(describe() + " does not keep up; input dropped (" + dropped + " messages so far)");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void writeLoop() {
        try {
            while (!closed) {
                Object item = queue.take();
                if (item == STOP) {
                    break;
                }
                if (!connected && !tryConnect()) {
                    continue;
                }
                if (item == NUDGE) {
                    continue;
                }
                try {
                    write((M) item);
                    written.accept(System.nanoTime());
                } catch (IOException e) {
                    LOG.warning(describe() + ": connection lost (" + reason(e) + "); input dropped until it is back");
                    outageLogged = true;
                    connected = false;
                    disconnect();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connected = false;
            disconnect();
        }
    }

    private boolean tryConnect() {
        long now = System.nanoTime();
        if (now - lastAttempt < RETRY_NANOS) {
            return false;
        }
        lastAttempt = now;
        try {
            connect();
            connected = true;
            if (outageLogged) {
                LOG.info(describe() + ": connected again");
            }
            outageLogged = false;
            return true;
        } catch (IOException | RuntimeException e) {
            disconnect();
            if (!outageLogged) {
                LOG.warning(describe() + ": cannot connect (" + reason(e) + "); input dropped until it can");
                outageLogged = true;
            }
            return false;
        }
    }

    /** Some socket exceptions (a peer's reset seen as EOF) carry no message; their type still tells. */
    private static String reason(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Starts connecting now rather than at the first input. */
    public final void connectEarly() {
        queue.offer(NUDGE);
    }

    static final Object NUDGE = new Object();

    @Override
    public void close() {
        closed = true;
        queue.clear();
        queue.offer(STOP);
        writer.interrupt();
    }
}
