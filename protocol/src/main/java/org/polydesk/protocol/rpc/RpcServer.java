package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import jdk.net.UnixDomainPrincipal;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.net.ExtendedSocketOptions;

/**
 * The one line-JSON-RPC 2.0 server of every Polydesk service: a UNIX socket (mode 0660, group
 * {@code polydesk} where it exists), one object per line of at most {@link LineFraming#MAX_LINE_BYTES}.
 * Each connection has a reader thread and a bounded outgoing queue drained by its own writer
 * thread, so a slow or vanished client never holds up the service or anyone else: it is dropped
 * instead. Malformed JSON, a wrong request, an unknown method or bad params get an error answer;
 * a handler that throws gets an internal error; nothing a client sends ends the server.
 * Requests are dispatched through their {@link RpcMethod} declarations ({@link Handlers}).
 */
public final class RpcServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(RpcServer.class.getName());
    private static final int OUTGOING_LIMIT = 4096;
    private static final long DISCARD_LIMIT = 64L << 20;
    private static final long WRITER_GRACE_MS = 5000;
    /** Compared by identity: tells the writer thread to stop. */
    private static final String POISON = new String("end of connection");
    /** Compared by identity: a latest-wins notification waits in the connection's slot. */
    private static final String WAKE = new String("latest");

    private final Path socket;
    private final String what;
    private final Map<String, Route<?, ?>> routes;
    private final ServerSocketChannel server;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Answers one request; a notification's answer is thrown away. */
    @FunctionalInterface
    public interface Handler<P, R> {
        R handle(P params, Connection connection) throws RpcException;
    }

    /** A declared method and its handler: decodes the params, handles, encodes the result. */
    private record Route<P, R>(RpcMethod<P, R> method, Handler<P, R> handler) {
        JsonNode answer(JsonNode params, Connection c) throws RpcException {
            return method.encodeResult(handler.handle(method.decodeParams(params), c));
        }
    }

    /** The methods a server answers, each through its declaration. */
    public static final class Handlers {
        private final Map<String, Route<?, ?>> routes = new LinkedHashMap<>();

        public <P, R> Handlers on(RpcMethod<P, R> method, Handler<P, R> handler) {
            if (routes.putIfAbsent(method.name(), new Route<>(method, handler)) != null) {
                throw new IllegalArgumentException(method.name() + " has a handler already");
            }
            return this;
        }
    }

    /** One client. Messages sent to it are queued; when the queue is full the client is dropped. */
    public final class Connection {
        private final SocketChannel channel;
        private final UnixDomainPrincipal peer;
        private final BlockingQueue<String> outgoing = new ArrayBlockingQueue<>(OUTGOING_LIMIT);
        private final CopyOnWriteArrayList<Runnable> onClose = new CopyOnWriteArrayList<>();
        private final Thread writer = new Thread(this::writeLoop, what + "-write");
        /** The newest latest-wins line not yet written, and the least time between two of them. */
        private final AtomicReference<String> latest = new AtomicReference<>();
        private volatile long latestNanos;
        private volatile boolean open = true;
        /** The request a handler is answering now (reader thread only): its id, its method, whether answered. */
        private JsonNode answering;
        private String answeringMethod;
        private boolean answered;

        Connection(SocketChannel channel) {
            this.channel = channel;
            this.peer = peerOf(channel);
            writer.setDaemon(true);
        }

        /** Who connected (user and group, from the kernel), or null where the kernel does not say. */
        public UnixDomainPrincipal peer() {
            return peer;
        }

        public <T> void send(RpcNotification<T> notification, T value) {
            send(notification.message(value));
        }

        void send(RpcMessage message) {
            String line = line(message);
            if (open && !outgoing.offer(line)) {
                LOG.warning("a client of " + what + " reads too slowly (" + OUTGOING_LIMIT + " messages queued); dropping it");
                close();
            }
        }

        /**
         * Within {@code method}'s handler: queues its answer now rather than when the handler
         * returns (whose value is then ignored), so whatever is sent after this call, by the
         * handler or by another thread it lets in, follows the answer on the wire. For a subscribe
         * whose answer (the state now) must precede every change: answer under the lock that
         * changes take.
         */
        public <R> void answerNow(RpcMethod<?, R> method, R result) {
            if (answeringMethod == null || !answeringMethod.equals(method.name()) || answered) {
                throw new IllegalStateException("answerNow(" + method.name() + ") outside its handler or twice");
            }
            answered = true;
            if (answering != null) {
                send(RpcMessage.result(answering, method.encodeResult(result)));
            }
        }

        /**
         * Sends {@code value} unless a newer one replaces it first: the newest wins, and at most one
         * goes out per {@code minInterval}, after every queued line. For fast streams (the pointer)
         * whose producer must never wait; one such stream per connection.
         */
        public <T> void sendLatest(RpcNotification<T> notification, T value, long minInterval, TimeUnit unit) {
            latestNanos = unit.toNanos(minInterval);
            if (open && latest.getAndSet(line(notification.message(value))) == null) {
                outgoing.offer(WAKE); // a full queue: the writer is busy and finds the line anyway
            }
        }

        /** Runs when the client goes, however it goes (used to end subscriptions). */
        public void onClose(Runnable r) {
            onClose.add(r);
            if (!open) {
                r.run();
            }
        }

        public boolean isOpen() {
            return open;
        }

        void close() {
            if (!open) {
                return;
            }
            open = false;
            outgoing.clear();
            outgoing.offer(POISON);
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
            connections.remove(this);
            for (Runnable r : onClose) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cleaning up after a client of " + what + " failed", e);
                }
            }
        }

        void readLoop() {
            try (InputStream in = Channels.newInputStream(channel)) {
                LineFraming.Reader lines = new LineFraming.Reader(in);
                try {
                    String line;
                    while (open && (line = lines.readLine()) != null) {
                        if (!line.isBlank()) {
                            serve(line);
                        }
                    }
                } catch (LineFraming.LineTooLongException e) {
                    send(RpcMessage.error(null, new RpcError(ErrorCode.LINE_TOO_LONG, e.getMessage() + "; closing")));
                    finishWriting();
                    // Closing with unread input would reset the connection and lose the error reply.
                    long discarded = 0;
                    byte[] sink = new byte[65536];
                    int n;
                    while (discarded < DISCARD_LIMIT && (n = in.read(sink)) > 0) {
                        discarded += n;
                    }
                }
            } catch (IOException e) {
                // The client went away mid-request: nothing to answer.
            }
            finishWriting();
            close();
        }

        private void serve(String line) {
            JsonNode req;
            try {
                req = Json.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                send(RpcMessage.error(null, new RpcError(ErrorCode.PARSE_ERROR, "not valid JSON: " + e.getOriginalMessage())));
                return;
            }
            JsonNode id = req == null ? null : req.get("id");
            if (req == null || !req.isObject() || !RpcMessage.VERSION.equals(req.path("jsonrpc").asText(null))
                    || !req.path("method").isTextual()
                    || (id != null && !(id.isNumber() || id.isTextual() || id.isNull()))) {
                send(RpcMessage.error(id != null && (id.isNumber() || id.isTextual()) ? id : null,
                        new RpcError(ErrorCode.INVALID_REQUEST,
                                "expected a JSON-RPC 2.0 request: {\"jsonrpc\":\"2.0\",\"id\":…,\"method\":\"…\",\"params\":{…}}")));
                return;
            }
            boolean notification = id == null;
            String name = req.get("method").asText();
            Route<?, ?> route = routes.get(name);
            answering = id;
            answeringMethod = route == null ? null : name;
            answered = false;
            try {
                if (route == null) {
                    throw new RpcException(ErrorCode.METHOD_NOT_FOUND, "no method '" + name + "' (" + what + " has "
                            + String.join(", ", routes.keySet()) + ")");
                }
                JsonNode result = route.answer(req.get("params"), this);
                if (!notification && !answered) {
                    send(RpcMessage.result(id, result));
                }
            } catch (RpcException e) {
                if (!notification && !answered) {
                    send(RpcMessage.error(id, e.toError()));
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, what + ": request " + name + " from " + (peer == null ? "an unknown peer"
                        : "user " + peer.user().getName()) + " failed", e);
                if (!notification && !answered) {
                    send(RpcMessage.error(id, new RpcError(ErrorCode.INTERNAL_ERROR, "internal error: " + e)));
                }
            } finally {
                answering = null;
                answeringMethod = null;
            }
        }

        /** Lets the writer send what is queued (an error reply), then half-closes the connection. */
        private void finishWriting() {
            outgoing.offer(POISON);
            try {
                writer.join(WRITER_GRACE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void writeLoop() {
            long nextLatest = System.nanoTime();
            try {
                while (true) {
                    // Queued lines first: an answer or a state change never waits behind a stream.
                    String line = outgoing.poll();
                    if (line == null) {
                        long wait = nextLatest - System.nanoTime();
                        if (latest.get() != null && wait <= 0) {
                            write(latest.getAndSet(null));
                            nextLatest = System.nanoTime() + latestNanos;
                            continue;
                        }
                        line = latest.get() == null ? outgoing.take() : outgoing.poll(wait, TimeUnit.NANOSECONDS);
                        if (line == null) {
                            continue;
                        }
                    }
                    if (line == POISON) {
                        channel.shutdownOutput();
                        return;
                    }
                    if (line != WAKE) {
                        write(line);
                    }
                }
            } catch (IOException e) {
                // The client is gone.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }

        private void write(String line) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    private RpcServer(Path socket, String what, Handlers handlers) throws IOException {
        this.socket = socket;
        this.what = what;
        this.routes = Collections.unmodifiableMap(new LinkedHashMap<>(handlers.routes));
        Files.createDirectories(socket.getParent());
        if (Files.exists(socket)) {
            if (UnixSockets.someoneListens(socket)) {
                throw new IOException("another " + what + " already serves " + socket);
            }
            Files.delete(socket); // stale, left by a dead process
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        restrictAccess(socket);
        Thread acceptor = new Thread(this::acceptLoop, what + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Serves {@code handlers} on {@code socket}; {@code what} names the service in logs and errors. */
    public static RpcServer serve(Path socket, String what, Handlers handlers) throws IOException {
        return new RpcServer(socket, what, handlers);
    }

    private static String line(RpcMessage message) {
        try {
            return message.encode() + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON-RPC message always serialises", e);
        }
    }

    private static UnixDomainPrincipal peerOf(SocketChannel ch) {
        try {
            return ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Mode 0660, group polydesk when that group exists: members may use the service, nobody else. */
    private static void restrictAccess(Path socket) throws IOException {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        try {
            GroupPrincipal group = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("polydesk");
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        } catch (UserPrincipalNotFoundException e) {
            // No polydesk group on this host: root's group keeps it.
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                Connection c = new Connection(ch);
                connections.add(c);
                Thread reader = new Thread(c::readLoop, what + "-read");
                reader.setDaemon(true);
                c.writer.start();
                reader.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, what + ": accept failed", e);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.forEach(Connection::close);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a stale socket file is removed by the next start
        }
    }
}
