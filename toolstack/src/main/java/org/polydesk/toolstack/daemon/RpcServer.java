package org.polydesk.toolstack.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
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
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.toolstack.io.UnixSockets;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;
import org.polydesk.protocol.rpc.RpcError;
import org.polydesk.protocol.rpc.RpcMessage;

/**
 * JSON-RPC 2.0 over a UNIX socket, one object per line. Each client has its own reader thread and a
 * bounded outgoing queue drained by its own writer thread, so a slow or vanished client never holds
 * up the daemon or anyone else: its connection is closed instead.
 */
public final class RpcServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(RpcServer.class.getName());
    private static final int OUTGOING_LIMIT = 4096;
    private static final long DISCARD_LIMIT = 64L << 20;
    private static final long WRITER_GRACE_MS = 5000;
    /** Compared by identity: tells the writer thread to stop. */
    private static final String POISON = new String("end of connection");

    private final Path socket;
    private final Handler handler;
    private final ServerSocketChannel server;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Answers one request; a notification's answer is thrown away. */
    public interface Handler {
        JsonNode handle(String method, JsonNode params, Connection connection) throws RpcException;
    }

    /** One client. Messages sent to it are queued; when the queue is full the client is dropped. */
    public final class Connection {
        private final SocketChannel channel;
        private final BlockingQueue<String> outgoing = new ArrayBlockingQueue<>(OUTGOING_LIMIT);
        private final CopyOnWriteArrayList<Runnable> onClose = new CopyOnWriteArrayList<>();
        private final Thread writer = new Thread(this::writeLoop, "rpc-write");
        private volatile boolean open = true;

        Connection(SocketChannel channel) {
            this.channel = channel;
            writer.setDaemon(true);
        }

        public void send(RpcMessage message) {
            String line;
            try {
                line = Json.mapper().writeValueAsString(message) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON-RPC message always serialises", e);
            }
            if (open && !outgoing.offer(line)) {
                LOG.warning("a client reads too slowly (" + OUTGOING_LIMIT + " messages queued); dropping it");
                close();
            }
        }

        /** Runs when the client goes, however it goes (used to end event subscriptions). */
        public void onClose(Runnable r) {
            onClose.add(r);
            if (!open) {
                r.run();
            }
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
            onClose.forEach(Runnable::run);
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
            JsonNode id = req.get("id");
            if (!req.isObject() || !"2.0".equals(req.path("jsonrpc").asText(null)) || !req.path("method").isTextual()
                    || (id != null && !(id.isNumber() || id.isTextual() || id.isNull()))) {
                send(RpcMessage.error(id, new RpcError(ErrorCode.INVALID_REQUEST,
                        "expected a JSON-RPC 2.0 request: {\"jsonrpc\":\"2.0\",\"id\":…,\"method\":\"…\",\"params\":{…}}")));
                return;
            }
            boolean notification = id == null;
            try {
                JsonNode result = handler.handle(req.get("method").asText(), req.get("params"), this);
                if (!notification) {
                    send(RpcMessage.result(id, result));
                }
            } catch (RpcException e) {
                if (!notification) {
                    send(RpcMessage.error(id, new RpcError(e.code(), e.getMessage())));
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "request " + req.get("method") + " failed", e);
                if (!notification) {
                    send(RpcMessage.error(id, new RpcError(ErrorCode.INTERNAL_ERROR, "internal error: " + e)));
                }
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
            try {
                while (true) {
                    String line = outgoing.take();
                    if (line == POISON) {
                        channel.shutdownOutput();
                        return;
                    }
                    ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                }
            } catch (IOException e) {
                // The client is gone.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }
    }

    public RpcServer(Path socket, Handler handler) throws IOException {
        this.socket = socket;
        this.handler = handler;
        Files.createDirectories(socket.getParent());
        if (Files.exists(socket)) {
            if (UnixSockets.someoneListens(socket)) {
                throw new IOException("another polydeskd already serves " + socket);
            }
            Files.delete(socket);
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        restrictAccess(socket);
        Thread acceptor = new Thread(this::acceptLoop, "rpc-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Mode 0660, group polydesk when that group exists: members may manage VMs, nobody else. */
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
                Thread reader = new Thread(c::readLoop, "rpc-read");
                reader.setDaemon(true);
                c.writer.start();
                reader.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "accept failed", e);
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
