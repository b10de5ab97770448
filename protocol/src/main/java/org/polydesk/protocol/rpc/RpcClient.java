package org.polydesk.protocol.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A blocking JSON-RPC 2.0 client over a UNIX socket, one call at a time. Notifications that arrive
 * (events after {@code events.subscribe}) are read with {@link #nextNotification()}.
 */
public final class RpcClient implements Closeable {
    private final SocketChannel channel;
    private final LineFraming.Reader lines;
    private final java.util.ArrayDeque<RpcMessage> notifications = new java.util.ArrayDeque<>();
    private long nextId;

    /** The server answered with an error. */
    public static final class CallException extends IOException {
        private final int code;

        public CallException(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }

        public ErrorCode errorCode() {
            return ErrorCode.of(code);
        }
    }

    private RpcClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.lines = new LineFraming.Reader(Channels.newInputStream(channel));
    }

    public static RpcClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new RpcClient(ch);
    }

    /** Calls a method and returns its result, or throws {@link CallException} with the server's error. */
    public JsonNode call(String method, JsonNode params) throws IOException {
        long id = ++nextId;
        byte[] line = (Json.mapper().writeValueAsString(RpcMessage.request(id, method, params)) + "\n")
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
                throw new CallException(msg.error().code(), msg.error().message());
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
            } catch (java.io.EOFException e) {
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
            throw new java.io.EOFException("the server closed the connection");
        }
        return Json.mapper().readValue(line, RpcMessage.class);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
