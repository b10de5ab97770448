package org.polydesk.ui.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcMessage;

/**
 * A stand-in for a polydeskd that has methods the real one does not have yet: it answers each
 * method with a fixed result, {@code events.subscribe} and {@code vm.list} included. Only for the
 * UI paths behind a proposed method; everything else is tested against the real polydeskd.
 */
final class FakePolydeskd implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Map<String, JsonNode> answers = new ConcurrentHashMap<>();
    final Map<String, JsonNode> lastParams = new ConcurrentHashMap<>();

    FakePolydeskd(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        answers.put("events.subscribe", Json.mapper().createObjectNode().put("subscribed", true));
        answers.put("vm.list", Json.mapper().createArrayNode());
        Thread t = new Thread(this::accept, "fake-polydeskd");
        t.setDaemon(true);
        t.start();
    }

    void answer(String method, JsonNode result) {
        answers.put(method, result);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "fake-polydeskd-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c; BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8))) {
            OutputStream out = Channels.newOutputStream(c);
            String line;
            while ((line = in.readLine()) != null) {
                RpcMessage req = Json.mapper().readValue(line, RpcMessage.class);
                if (req.params() != null) {
                    lastParams.put(req.method(), req.params());
                }
                JsonNode result = answers.get(req.method());
                RpcMessage reply = result != null ? RpcMessage.result(req.id(), result)
                        : RpcMessage.error(req.id(), new org.polydesk.protocol.rpc.RpcError(
                                org.polydesk.protocol.rpc.ErrorCode.METHOD_NOT_FOUND, "no method '" + req.method() + "'"));
                out.write((Json.mapper().writeValueAsString(reply) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // The UI closed the connection.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
