package org.polydesk.input.focus;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;
import org.polydesk.protocol.rpc.RpcError;
import org.polydesk.protocol.rpc.RpcMessage;

/**
 * Serves the focus bus ({@link FocusBus}) on input.sock: JSON-RPC 2.0, one object per line.
 * {@code focus.get}, {@code focus.set {slot}}, {@code focus.subscribe} (the answer, then every
 * {@code focus.changed}, in seq order, and {@code pointer.moved}). Each client has a reader thread
 * and a bounded queue drained by a writer thread; a client that does not read is dropped, never
 * waited for. The pointer's place is not queued: the input path leaves only the newest place in
 * the client's slot, which the writer sends once no line waits and {@link FocusBus#POINTER_MILLIS}
 * have passed since the last, so a mouse at 1000 Hz costs a subscriber 60 lines a second.
 */
public final class FocusBusServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(FocusBusServer.class.getName());
    private static final int OUTGOING_LIMIT = 1024;
    private static final String POISON = new String("end");
    /** Queued when a pointer place waits in a client's slot: the writer looks at it. */
    private static final String WAKE = new String("pointer");
    private static final long POINTER_NANOS = TimeUnit.MILLISECONDS.toNanos(FocusBus.POINTER_MILLIS);

    private final Path socket;
    private final FocusAuthority focus;
    private final ServerSocketChannel server;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public FocusBusServer(Path socket, FocusAuthority focus) throws IOException {
        this.socket = socket;
        this.focus = focus;
        Files.createDirectories(socket.getParent());
        if (Files.exists(socket)) {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
                throw new IOException("another input server already serves " + socket);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another input server")) {
                    throw e;
                }
                Files.delete(socket); // stale, left by a dead process
            }
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        try {
            GroupPrincipal group = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("polydesk");
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        } catch (UserPrincipalNotFoundException e) {
            // no polydesk group on this host: root's group keeps it
        }
        Thread acceptor = new Thread(this::acceptLoop, "focus-bus-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Client c = new Client(server.accept());
                clients.add(c);
                c.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warning("focus bus accept failed: " + e.getMessage());
                }
            }
        }
    }

    private final class Client {
        private final SocketChannel channel;
        private final BlockingQueue<String> outgoing = new ArrayBlockingQueue<>(OUTGOING_LIMIT);
        private volatile boolean open = true;
        private Consumer<FocusChanged> subscription;
        private Consumer<PointerMoved> pointerSubscription;
        /** The newest pointer place not yet written. */
        private final AtomicReference<PointerMoved> pointerDue = new AtomicReference<>();

        Client(SocketChannel channel) {
            this.channel = channel;
        }

        void start() {
            Thread r = new Thread(this::readLoop, "focus-bus-read");
            Thread w = new Thread(this::writeLoop, "focus-bus-write");
            r.setDaemon(true);
            w.setDaemon(true);
            w.start();
            r.start();
        }

        void send(RpcMessage m) {
            String line;
            try {
                line = Json.mapper().writeValueAsString(m) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            if (open && !outgoing.offer(line)) {
                LOG.warning("a focus bus client reads too slowly; dropping it");
                close();
            }
        }

        void readLoop() {
            try (InputStream in = Channels.newInputStream(channel)) {
                LineFraming.Reader lines = new LineFraming.Reader(in);
                String line;
                while (open && (line = lines.readLine()) != null) {
                    if (!line.isBlank()) {
                        serve(line);
                    }
                }
            } catch (LineFraming.LineTooLongException e) {
                send(RpcMessage.error(null, new RpcError(ErrorCode.LINE_TOO_LONG, e.getMessage())));
            } catch (IOException e) {
                // the client went away
            }
            outgoing.offer(POISON);
        }

        void serve(String line) {
            JsonNode req;
            try {
                req = Json.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                send(RpcMessage.error(null, new RpcError(ErrorCode.PARSE_ERROR, "not valid JSON: " + e.getOriginalMessage())));
                return;
            }
            JsonNode id = req.get("id");
            if (!req.isObject() || !"2.0".equals(req.path("jsonrpc").asText(null)) || !req.path("method").isTextual()) {
                send(RpcMessage.error(id, new RpcError(ErrorCode.INVALID_REQUEST,
                        "expected a JSON-RPC 2.0 request: {\"jsonrpc\":\"2.0\",\"id\":…,\"method\":\"…\",\"params\":{…}}")));
                return;
            }
            String method = req.get("method").asText();
            JsonNode params = req.get("params");
            switch (method) {
                case FocusBus.GET -> reply(id, focus.current());
                case FocusBus.SUBSCRIBE -> subscribe(id);
                case FocusBus.SET -> set(id, params);
                default -> fail(id, ErrorCode.METHOD_NOT_FOUND, "no method '" + method + "' (the focus bus has "
                        + FocusBus.GET + ", " + FocusBus.SET + ", " + FocusBus.SUBSCRIBE + ")");
            }
        }

        private void set(JsonNode id, JsonNode params) {
            JsonNode slot = params == null ? null : params.get("slot");
            if (slot == null || !slot.isIntegralNumber()) {
                fail(id, ErrorCode.INVALID_PARAMS, "params.slot must be a slot number (0 for the control UI, 1 to "
                        + FocusBus.MAX_SLOT + " for VMs)");
                return;
            }
            try {
                reply(id, focus.set(slot.asInt(), FocusChanged.Cause.REQUEST));
            } catch (FocusAuthority.NoSuchSlotException e) {
                fail(id, e.empty() ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_PARAMS, e.getMessage());
            }
        }

        private void subscribe(JsonNode id) {
            // Under the authority's lock: the answer is queued before any change can be.
            synchronized (focus) {
                if (subscription == null) {
                    subscription = c -> send(RpcMessage.notification(FocusBus.CHANGED, Json.mapper().valueToTree(c)));
                    reply(id, focus.subscribe(subscription));
                    pointerSubscription = this::pointerMoved;
                    PointerMoved now = focus.subscribePointer(pointerSubscription);
                    if (now != null) {
                        pointerMoved(now);
                    }
                } else {
                    reply(id, focus.current());
                }
            }
        }

        /** On the input path: leaves the place for the writer, never waits. */
        private void pointerMoved(PointerMoved p) {
            if (open && pointerDue.getAndSet(p) == null) {
                outgoing.offer(WAKE); // a full queue: the writer is busy and finds the place anyway
            }
        }

        private void reply(JsonNode id, FocusChanged value) {
            if (id != null) {
                send(RpcMessage.result(id, Json.mapper().valueToTree(value)));
            }
        }

        private void fail(JsonNode id, ErrorCode code, String message) {
            if (id != null) {
                send(RpcMessage.error(id, new RpcError(code, message)));
            }
        }

        void writeLoop() {
            long nextPointer = System.nanoTime();
            try {
                while (true) {
                    // Lines first: a focus change never waits behind the pointer.
                    String line = outgoing.poll();
                    if (line == null) {
                        long wait = nextPointer - System.nanoTime();
                        if (pointerDue.get() != null && wait <= 0) {
                            write(pointerLine(pointerDue.getAndSet(null)));
                            nextPointer = System.nanoTime() + POINTER_NANOS;
                            continue;
                        }
                        line = pointerDue.get() == null ? outgoing.take() : outgoing.poll(wait, TimeUnit.NANOSECONDS);
                        if (line == null) {
                            continue;
                        }
                    }
                    if (line == POISON) {
                        break;
                    }
                    if (line != WAKE) {
                        write(line);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // gone
            }
            close();
        }

        private static String pointerLine(PointerMoved p) {
            try {
                return Json.mapper().writeValueAsString(
                        RpcMessage.notification(FocusBus.POINTER_MOVED, Json.mapper().valueToTree(p))) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private void write(String line) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        void close() {
            if (!open) {
                return;
            }
            open = false;
            if (subscription != null) {
                focus.unsubscribe(subscription);
            }
            if (pointerSubscription != null) {
                focus.unsubscribePointer(pointerSubscription);
            }
            outgoing.clear();
            outgoing.offer(POISON);
            try {
                channel.close();
            } catch (IOException ignored) {
                // gone
            }
            clients.remove(this);
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
        clients.forEach(Client::close);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // removed by the next start
        }
    }
}
