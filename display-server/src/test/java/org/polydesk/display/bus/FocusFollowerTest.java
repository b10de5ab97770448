package org.polydesk.display.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
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
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcNotification;
import org.polydesk.protocol.rpc.RpcServer;

/**
 * The display server's end of the focus bus, against a bus served by protocol's RpcServer and played
 * by the test: focus and pointer
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
        BlockingQueue<RpcServer.Connection> subscribers = new LinkedBlockingQueue<>();
        BlockingQueue<HeadLayout> layouts = new LinkedBlockingQueue<>();
        try (DisplayServer display = new DisplayServer(new NullSink(), new IndicatorStyle(Duration.ZERO, 0),
                     RfbConfig.defaults(), Backoff.DEFAULT).start()) {
            RpcServer bus = RpcServer.serve(socket, "stand-in focus bus", new RpcServer.Handlers()
                    .on(FocusBus.SUBSCRIBE, (params, connection) -> {
                        subscribers.add(connection);
                        return new FocusChanged(4, 2, null, FocusChanged.Cause.INITIAL);
                    })
                    .on(FocusBus.HEADS_SET, (params, connection) -> {
                        layouts.add(params);
                        return new FocusChanged(4, 2, null, FocusChanged.Cause.LAYOUT);
                    }));
            try (FocusFollower follower = new FocusFollower(socket, new Backoff(Duration.ofMillis(20),
                    Duration.ofMillis(100)), display).start()) {
                try (bus) {
                    RpcServer.Connection c = subscribers.poll(10, TimeUnit.SECONDS);
                    assertNotNull(c, "the follower subscribed");
                    HeadLayout told = layouts.poll(10, TimeUnit.SECONDS);
                    assertNotNull(told, "the follower told the bus its monitors");
                    assertEquals(1, told.heads().size(), told.toString());
                    // What a typed PointerMoved cannot hold: a bus that is wrong (or not ours) may send it.
                    PointerMoved good = new PointerMoved(2, 0.5, 0.5);
                    for (JsonNode place : new JsonNode[] {
                        with(good, X, DoubleNode.valueOf(1.5)), with(good, X, TextNode.valueOf("left")),
                        with(good, SLOT, IntNode.valueOf(12)), with(good, X, null),
                        Json.mapper().createArrayNode().add(1).add(2), NullNode.getInstance()}) {
                        c.send(RAW_POINTER_MOVED, place);
                    }
                    c.send(FocusBus.POINTER_MOVED, new PointerMoved(2, 0.25, 0.75));
                    c.send(FocusBus.CHANGED, new FocusChanged(5, 3, null, FocusChanged.Cause.HOTKEY));
                    await(() -> display.focusedSlot() == 3, "the focus moved after the bad places");
                    assertEquals(new PointerMoved(2, 0.25, 0.75), display.pointerPlace());
                    assertEquals(1, warnings.size(), "one warning for six bad places: " + warnings);
                    assertTrue(warnings.get(0).getMessage().contains("ignoring " + FocusBus.POINTER_MOVED.name()),
                            warnings.get(0).getMessage());
                }
                await(() -> display.pointerPlace() == null, "the bus went: the pointer's place is unknown");
            }
        } finally {
            log.removeHandler(h);
        }
    }

    /** {@link FocusBus#POINTER_MOVED} carrying any JSON, to send places that are none. */
    private static final RpcNotification<JsonNode> RAW_POINTER_MOVED = RpcNotification.of(FocusBus.POINTER_MOVED.name(),
            JsonNode.class, "pointer places as the test writes them");

    /** PointerMoved's fields as its record (and so the wire) names them. */
    private static final int SLOT = 0;
    private static final int X = 1;

    /** {@code place} as JSON with its field number {@code component} set to {@code value} (null: removed). */
    private static JsonNode with(PointerMoved place, int component, JsonNode value) {
        String field = PointerMoved.class.getRecordComponents()[component].getName();
        ObjectNode n = Json.mapper().valueToTree(place);
        if (!n.has(field)) {
            throw new IllegalArgumentException(field + " is no field of " + n);
        }
        if (value == null) {
            n.remove(field);
        } else {
            n.set(field, value);
        }
        return n;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
