package org.polydesk.input.testing;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;

/**
 * A QMP server as QEMU's: greeting, qmp_capabilities, then {"return": {}} to every command (one
 * client at a time, as a QEMU chardev), with the command's id when it had one. Every command line after the handshake is handed to the
 * listener with the System.nanoTime() at which it was read, and kept in {@link #lines}.
 */
public final class FakeQmp implements Closeable {
    public final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ServerSocketChannel server;
    private volatile BiConsumer<String, Long> listener = (l, t) -> { };
    private volatile SocketChannel client;

    public FakeQmp(Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(this::run, "fake-qmp");
        t.setDaemon(true);
        t.start();
    }

    public void onLine(BiConsumer<String, Long> l) {
        listener = l;
    }

    private void run() {
        try {
            while (true) {
                SocketChannel c = server.accept();
                client = c;
                serve(c);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            write(c, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}\r\n");
            LineFraming.Reader in = new LineFraming.Reader(Channels.newInputStream(c));
            String line;
            while ((line = in.readLine()) != null) {
                long t = System.nanoTime();
                if (!line.contains("qmp_capabilities")) {
                    listener.accept(line, t);
                    lines.add(line);
                }
                // As QEMU: the answer carries the command's id when it had one.
                JsonNode id = Json.mapper().readTree(line).get("id");
                write(c, id == null ? "{\"return\": {}}\r\n" : "{\"return\": {}, \"id\": " + id + "}\r\n");
            }
        } catch (IOException e) {
            // client gone
        }
    }

    /** Drops the current client, as a QEMU that restarts would. */
    public void dropClient() throws IOException {
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
    }

    private static void write(SocketChannel c, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropClient();
    }
}
