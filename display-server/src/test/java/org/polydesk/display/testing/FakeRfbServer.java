package org.polydesk.display.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double RFB server on a UNIX socket (or on TCP at 127.0.0.1, {@link #tcp}, for a test guest
 * to reach as 10.0.2.2): each accepted connection gets its own thread running a {@link Script}.
 * What the client sends is available to the script as a stream.
 */
public final class FakeRfbServer implements AutoCloseable {
    /** What the server does with one connection. */
    @FunctionalInterface
    public interface Script {
        void serve(SocketChannel ch, InputStream fromClient) throws IOException, InterruptedException;
    }

    private final ServerSocketChannel server;
    private final Path path;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    public FakeRfbServer(Path path, Script script) throws IOException {
        this(path, unix(path), script);
    }

    private FakeRfbServer(Path path, ServerSocketChannel server, Script script) {
        this.path = path;
        this.server = server;
        Thread t = new Thread(() -> acceptLoop(script), "fake-rfb-" + (path != null ? path.getFileName() : "tcp"));
        t.setDaemon(true);
        t.start();
    }

    private static ServerSocketChannel unix(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }

    /** On TCP at 127.0.0.1, a free port ({@link #port}). */
    public static FakeRfbServer tcp(Script script) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        return new FakeRfbServer(null, server, script);
    }

    public int port() throws IOException {
        return ((java.net.InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** Sends {@code bytes}, then keeps the connection open, reading, until the client goes. */
    public static Script sendThenHold(byte[] bytes) {
        return (ch, in) -> {
            write(ch, bytes);
            drain(in);
        };
    }

    /** Sends {@code bytes} and closes. */
    public static Script sendThenClose(byte[] bytes) {
        return (ch, in) -> write(ch, bytes);
    }

    public static void write(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    public static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[4096];
        while (in.read(sink) >= 0) {
            // the client's requests, ignored
        }
    }

    public Path path() {
        return path;
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop(Script script) {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                connections.incrementAndGet();
                open.add(ch);
                Thread t = new Thread(() -> {
                    try (ch; InputStream in = Channels.newInputStream(ch)) {
                        script.serve(ch, in);
                    } catch (IOException | InterruptedException e) {
                        // the client went away, as clients of a hostile server should
                    } finally {
                        open.remove(ch);
                    }
                }, "fake-rfb-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (SocketChannel ch : open) {
            ch.close();
        }
        if (path != null) {
            Files.deleteIfExists(path);
        }
    }
}
