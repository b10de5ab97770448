package org.polydesk.input.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;
import org.polydesk.protocol.rpc.Methods;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.vm.VmSockets;

/**
 * polydeskd as the input server sees it: {@code events.subscribe}, {@code vm.list} of the running
 * VMs the test declares, and lifecycle events the test publishes. Same framing as the real one.
 */
public final class FakePolydeskd implements Closeable {
    private final ServerSocketChannel server;
    private final List<SocketChannel> subscribers = new CopyOnWriteArrayList<>();
    private final ArrayNode running = Json.mapper().createArrayNode();
    private long seq;

    public FakePolydeskd(Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(this::accept, "fake-polydeskd");
        t.setDaemon(true);
        t.start();
    }

    /** A VM that vm.list reports as running (call before the input server connects, or publish started). */
    public synchronized void running(UUID id, String name, int slot, Path qmp) {
        ObjectNode vm = running.addObject();
        vm.putObject("definition").put("id", id.toString()).put("name", name).put("slot", slot);
        vm.put("state", "running");
        vm.putObject("sockets").put("qmp", qmp.toString());
    }

    public synchronized void publish(LifecycleEvent.Type type, UUID id, String name, int slot, Path qmp) throws IOException {
        if (type == LifecycleEvent.Type.STARTED) {
            running(id, name, slot, qmp);
        } else {
            for (int i = 0; i < running.size(); i++) {
                if (running.get(i).path("definition").path("id").asText().equals(id.toString())) {
                    running.remove(i);
                    break;
                }
            }
        }
        LifecycleEvent e = new LifecycleEvent(++seq, type, id, name, slot,
                qmp == null ? null : new VmSockets(null, qmp.toString(), null), null);
        String line = Json.mapper().writeValueAsString(RpcMessage.notification(Methods.EVENT, Json.mapper().valueToTree(e))) + "\n";
        for (SocketChannel c : subscribers) {
            try {
                write(c, line);
            } catch (IOException gone) {
                subscribers.remove(c);
            }
        }
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "fake-polydeskd-client");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void serve(SocketChannel c) {
        try {
            LineFraming.Reader lines = new LineFraming.Reader(Channels.newInputStream(c));
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode req = Json.mapper().readTree(line);
                String method = req.path("method").asText();
                JsonNode result;
                synchronized (this) {
                    if (Methods.EVENTS_SUBSCRIBE.equals(method)) {
                        result = Json.mapper().createObjectNode().put("subscribed", true);
                        subscribers.add(c);
                    } else if (Methods.VM_LIST.equals(method)) {
                        result = running.deepCopy();
                    } else {
                        result = Json.mapper().nullNode();
                    }
                    write(c, Json.mapper().writeValueAsString(RpcMessage.result(req.get("id"), result)) + "\n");
                }
            }
        } catch (IOException e) {
            // client gone
        }
        subscribers.remove(c);
    }

    private static void write(SocketChannel c, String line) throws IOException {
        synchronized (c) {
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : subscribers) {
            c.close();
        }
    }
}
