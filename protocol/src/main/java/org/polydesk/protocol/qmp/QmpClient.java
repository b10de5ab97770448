package org.polydesk.protocol.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;
import org.polydesk.protocol.rpc.UnixSockets;

/**
 * A client of QEMU's QMP monitor (QEMU's own wire protocol, used by every Polydesk process that
 * drives a VM's device model) on a UNIX socket: negotiates capabilities, runs commands by id and
 * hands asynchronous events (SHUTDOWN, STOP, …) to a listener. One reader thread per connection.
 */
public final class QmpClient implements Closeable {
    private final SocketChannel channel;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Consumer<JsonNode> events;
    private final Consumer<JsonNode> unmatched;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Object writeLock = new Object();

    /** QMP said no: its error class and description. */
    public static final class QmpException extends IOException {
        public QmpException(String message) {
            super(message);
        }
    }

    private QmpClient(SocketChannel channel, Consumer<JsonNode> events, Consumer<JsonNode> unmatched) {
        this.channel = channel;
        this.events = events;
        this.unmatched = unmatched;
    }

    /** Connects, reads the greeting and leaves capabilities negotiation mode. */
    public static QmpClient connect(Path socket, Consumer<JsonNode> events, Duration timeout) throws IOException {
        return connect(socket, events, null, timeout);
    }

    /**
     * As {@link #connect(Path, Consumer, Duration)}; {@code unmatched} (on the reader thread) gets
     * every answer that no {@link #execute} waits for: those of {@link #post}ed commands, which
     * carry no id ({@code {"return": …}} or {@code {"error": …}}).
     */
    public static QmpClient connect(Path socket, Consumer<JsonNode> events, Consumer<JsonNode> unmatched,
                                    Duration timeout) throws IOException {
        SocketChannel ch;
        try {
            ch = UnixSockets.connect(socket);
        } catch (IOException e) {
            throw new IOException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
        }
        QmpClient client = new QmpClient(ch, events == null ? e -> { } : events, unmatched == null ? a -> { } : unmatched);
        CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
        client.pending.put(-1L, greeting);
        Thread reader = new Thread(client::readLoop, "qmp-" + socket.getParent().getFileName());
        reader.setDaemon(true);
        reader.start();
        try {
            client.await(greeting, timeout, "greeting");
            client.execute("qmp_capabilities", null, timeout);
        } catch (IOException e) {
            client.close();
            throw e;
        }
        return client;
    }

    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) throws IOException {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode msg = Json.mapper().createObjectNode();
        msg.put("execute", command);
        if (arguments != null) {
            msg.set("arguments", arguments);
        }
        msg.put("id", id);
        byte[] bytes = (msg + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
        return await(reply, timeout, command);
    }

    /**
     * Sends {@code command} without an id and without waiting for its answer, which goes to the
     * {@code unmatched} listener: for a stream of commands (input events) whose answers only
     * matter when they are errors. {@code rawArguments} is the arguments object, already JSON
     * (null: none); {@code command} is a QMP command name, which needs no quoting. Throws once the
     * connection is known to be gone, so a writer notices at its next command.
     */
    public void post(String command, CharSequence rawArguments) throws IOException {
        if (closed.isDone()) {
            throw new IOException("QMP connection closed");
        }
        StringBuilder line = new StringBuilder(command.length() + 32 + (rawArguments == null ? 0 : rawArguments.length()))
                .append("{\"execute\":\"").append(command).append('"');
        if (rawArguments != null) {
            line.append(",\"arguments\":").append(rawArguments);
        }
        byte[] bytes = line.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    private JsonNode await(CompletableFuture<JsonNode> f, Duration timeout, String what) throws IOException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("QMP " + what + " got no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for QMP " + what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Completes when the monitor connection is gone (QEMU exited or closed it). */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    private void readLoop() {
        try (InputStream in = Channels.newInputStream(channel)) {
            LineFraming.Reader lines = new LineFraming.Reader(in);
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                dispatch(Json.mapper().readTree(line));
            }
        } catch (IOException e) {
            // The socket closing is how QEMU's exit shows here; the waiters below learn of it.
        } finally {
            IOException gone = new IOException("QMP connection closed");
            pending.values().forEach(f -> f.completeExceptionally(gone));
            pending.clear();
            closed.complete(null);
        }
    }

    private void dispatch(JsonNode msg) {
        if (msg.has("QMP")) {
            complete(-1L, msg);
        } else if (msg.has("event")) {
            events.accept(msg);
        } else if (msg.has("id")) {
            long id = msg.get("id").asLong();
            if (msg.has("error")) {
                JsonNode err = msg.get("error");
                CompletableFuture<JsonNode> f = pending.remove(id);
                if (f != null) {
                    f.completeExceptionally(new QmpException(err.path("class").asText() + ": " + err.path("desc").asText()));
                }
            } else {
                complete(id, msg.get("return"));
            }
        } else if (msg.has("return") || msg.has("error")) {
            unmatched.accept(msg);
        }
    }

    private void complete(long id, JsonNode value) {
        CompletableFuture<JsonNode> f = pending.remove(id);
        if (f != null) {
            f.complete(value);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a socket that is already gone.
        }
    }
}
