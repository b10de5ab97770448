package org.polydesk.display.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.sink.Sink;
import org.polydesk.display.source.Backoff;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;

/**
 * The display server's end of the focus bus, against a bus played by the test: focus and pointer
 * places reach the server; places that are none are ignored with one warning and the bus is
 * followed on; when the bus goes, the pointer's place is forgotten.
 */
class FocusFollowerTest {
    @TempDir
    Path dir;

    private static final class NullSink implements Sink {
        @Override
        public int width() {
            return 64;
        }

        @Override
        public int height() {
            return 48;
        }

        @Override
        public void present(Frame frame, List<Rect> damage) {
        }

        @Override
        public String describe() {
            return "nowhere";
        }
    }

    @Test
    void placesReachTheServerBadOnesAreIgnoredAndALostBusForgetsThePointer() throws Exception {
        Path socket = dir.resolve("input.sock");
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(FocusFollower.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        try (ServerSocketChannel bus = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             DisplayServer display = new DisplayServer(new NullSink(), new IndicatorStyle(Duration.ZERO, 0),
                     RfbConfig.defaults(), Backoff.DEFAULT).start()) {
            bus.bind(UnixDomainSocketAddress.of(socket));
            try (FocusFollower follower = new FocusFollower(socket, new Backoff(Duration.ofMillis(20),
                    Duration.ofMillis(100)), display).start()) {
                try (SocketChannel c = bus.accept()) {
                    LineFraming.Reader in = new LineFraming.Reader(Channels.newInputStream(c));
                    String id = Json.mapper().readTree(in.readLine()).get("id").toString();
                    send(c, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"seq\":4,\"slot\":2,\"cause\":\"initial\"}}");
                    for (String params : new String[] {
                        "{\"slot\":2,\"x\":1.5,\"y\":0.5}", "{\"slot\":2,\"x\":\"left\",\"y\":0.5}",
                        "{\"slot\":12,\"x\":0.5,\"y\":0.5}", "{\"slot\":2,\"y\":0.5}", "[1,2]", "null"}) {
                        send(c, "{\"jsonrpc\":\"2.0\",\"method\":\"pointer.moved\",\"params\":" + params + "}");
                    }
                    send(c, "{\"jsonrpc\":\"2.0\",\"method\":\"pointer.moved\",\"params\":{\"slot\":2,\"x\":0.25,\"y\":0.75}}");
                    send(c, "{\"jsonrpc\":\"2.0\",\"method\":\"focus.changed\",\"params\":{\"seq\":5,\"slot\":3,\"cause\":\"hotkey\"}}");
                    await(() -> display.focusedSlot() == 3, "the focus moved after the bad places");
                    assertEquals(new PointerMoved(2, 0.25, 0.75), display.pointerPlace());
                    assertEquals(1, warnings.size(), "one warning for six bad places: " + warnings);
                    assertTrue(warnings.get(0).getMessage().contains("ignoring pointer.moved"), warnings.get(0).getMessage());
                }
                await(() -> display.pointerPlace() == null, "the bus went: the pointer's place is unknown");
            }
        } finally {
            log.removeHandler(h);
        }
    }

    private static void send(SocketChannel c, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
