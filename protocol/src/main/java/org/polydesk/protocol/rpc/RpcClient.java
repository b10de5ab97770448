package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The one JSON-RPC 2.0 client: blocking, one call at a time, over a UNIX socket. Calls go through
 * their {@link RpcMethod} declarations; an error answer keeps its code, message and data
 * ({@link CallException}). Notifications that arrive (events after a subscribe) are read with
 * {@link #nextNotification()}.
 */
public final class RpcClient implements Closeable {
    private final SocketChannel channel;
    private final LineFraming.Reader lines;
    private final ArrayDeque<RpcMessage> notifications = new ArrayDeque<>();
    private long nextId;

    /** The server answered with an error: its code, message and, for a validation error, the problems. */
    public static final class CallException extends IOException {
        private final String method;
        private final RpcError error;

        public CallException(String method, RpcError error) {
            super(error.message());
            this.method = method;
            this.error = error;
        }

        public String method() {
            return method;
        }

        public int code() {
            return error.code();
        }

        /** The code, or null when it is none of ours. */
        public ErrorCode errorCode() {
            return ErrorCode.of(error.code());
        }

        public RpcError error() {
            return error;
        }

        /** Each problem with the field it is about; empty when the server sent none. */
        public List<Problem> problems() {
            return error.problems();
        }
    }

    private RpcClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.lines = new LineFraming.Reader(Channels.newInputStream(channel));
    }

    public static RpcClient connect(Path socket) throws IOException {
        return new RpcClient(UnixSockets.connect(socket));
    }

    /** Calls {@code method} and returns its result, or throws {@link CallException} with the server's error. */
    public <P, R> R call(RpcMethod<P, R> method, P params) throws IOException {
        return method.decodeResult(call(method.name(), method.encodeParams(params)));
    }

    /** For a method that takes no params. */
    public <R> R call(RpcMethod<Void, R> method) throws IOException {
        return call(method, null);
    }

    /**
     * Untyped: any method name and any params. Only for tests that send a server what no typed
     * call can (a wrong type, an unknown field) to see how it answers.
     */
    public JsonNode callRaw(String method, JsonNode params) throws IOException {
        return call(method, params);
    }

    private JsonNode call(String method, JsonNode params) throws IOException {
        long id = ++nextId;
        byte[] line = (RpcMessage.request(id, method, params).encode() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        while (true) {
            RpcMessage msg = read();
            if (msg.isNotification()) {
                notifications.add(msg);
            } else if (msg.error() != null && (msg.id() == null || msg.id().isNull() || msg.id().asLong() == id)) {
                throw new CallException(method, msg.error());
            } else if (msg.id() != null && msg.id().asLong() == id) {
                return msg.result();
            }
        }
    }

    /** The next notification, waiting for it if none is buffered; null when the server closed. */
    public RpcMessage nextNotification() throws IOException {
        if (!notifications.isEmpty()) {
            return notifications.poll();
        }
        while (true) {
            RpcMessage msg;
            try {
                msg = read();
            } catch (EOFException e) {
                return null;
            }
            if (msg.isNotification()) {
                return msg;
            }
        }
    }

    private RpcMessage read() throws IOException {
        String line = lines.readLine();
        if (line == null) {
            throw new EOFException("the server closed the connection");
        }
        return RpcMessage.decode(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
