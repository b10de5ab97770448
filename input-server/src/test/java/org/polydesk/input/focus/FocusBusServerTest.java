package org.polydesk.input.focus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.routing.InputRouter;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.focus.PointerMoved;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.ToolstackApi;

/** The focus bus contract of protocol's FocusBus, spoken by the protocol's own RpcClient. */
class FocusBusServerTest {
    @TempDir
    Path tmp;
    FocusAuthority focus;
    FocusBusServer server;
    final UUID vm = UUID.randomUUID();

    @BeforeEach
    void start() throws Exception {
        focus = new FocusAuthority(new RecordingSink("ui"));
        new InputRouter(focus, InputConfig.defaults());
        focus.vmStarted(3, vm, "three", new RecordingSink("vm"));
        server = new FocusBusServer(tmp.resolve("input.sock"), focus,
                new org.polydesk.input.hotkey.SettingsStore(tmp.resolve("input.json"), InputConfig.defaults(), c -> { }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** {@link FocusBus#SET} with params as the test writes them, to send what a typed client cannot. */
    static final RpcMethod<ObjectNode, FocusChanged> RAW_SET = RpcMethod.of(FocusBus.SET.name(), ObjectNode.class,
            FocusChanged.class, "SET with raw params");

    @Test
    void getSetAndSubscribe() throws Exception {
        try (RpcClient a = RpcClient.connect(tmp.resolve("input.sock"));
             RpcClient b = RpcClient.connect(tmp.resolve("input.sock"))) {
            assertEquals(new FocusChanged(0, 0, null, FocusChanged.Cause.INITIAL), a.call(FocusBus.SUBSCRIBE));
            FocusChanged set = b.call(FocusBus.SET, new FocusBus.SlotRef(3));
            assertEquals(new FocusChanged(1, 3, vm, FocusChanged.Cause.REQUEST), set);
            RpcMessage n = a.nextNotification();
            assertTrue(FocusBus.CHANGED.matches(n));
            assertEquals(set, FocusBus.CHANGED.decode(n));
            assertEquals(3, b.call(FocusBus.GET).slot());
            // The VM stops: every subscriber learns the focus fell back to the control UI.
            focus.vmStopped(vm);
            assertEquals(new FocusChanged(2, 0, null, FocusChanged.Cause.VM_GONE), FocusBus.CHANGED.decode(a.nextNotification()));
        }
    }

    @Test
    void pointerPlacesAreCoalescedPerSubscriberAndASubscriberThatDoesNotReadHoldsNoOneUp() throws Exception {
        focus.set(3, FocusChanged.Cause.REQUEST);
        focus.pointerMoved(new PointerMoved(3, 0.5, 0.5));
        try (SocketChannel sleeper = SocketChannel.open(StandardProtocolFamily.UNIX);
             RpcClient a = RpcClient.connect(tmp.resolve("input.sock"))) {
            sleeper.connect(UnixDomainSocketAddress.of(tmp.resolve("input.sock")));
            sleeper.write(ByteBuffer.wrap((Json.mapper().writeValueAsString(RpcMessage.request(1, FocusBus.SUBSCRIBE.name(), null))
                    + "\n").getBytes(StandardCharsets.UTF_8))); // and never reads
            assertEquals(3, a.call(FocusBus.SUBSCRIBE).slot());
            RpcMessage first = a.nextNotification();
            assertTrue(FocusBus.POINTER_MOVED.matches(first));
            assertEquals(new PointerMoved(3, 0.5, 0.5), place(first), "a new subscriber hears where the pointer is");
            int published = 200_000;
            for (int i = 1; i <= published; i++) {
                focus.pointerMoved(new PointerMoved(3, i / (double) published, 0.25));
            }
            int heard = 0;
            PointerMoved last;
            do {
                RpcMessage m = a.nextNotification();
                assertTrue(FocusBus.POINTER_MOVED.matches(m), m.method());
                last = place(m);
                heard++;
            } while (last.x() < 1.0);
            assertEquals(new PointerMoved(3, 1.0, 0.25), last, "the newest place wins");
            assertTrue(heard < published / 100, heard + " lines for " + published + " places");
            // the focus still moves, and the sleeping subscriber was not dropped for the pointer's sake
            focus.set(0, FocusChanged.Cause.REQUEST);
            assertEquals(0, FocusBus.CHANGED.decode(a.nextNotification()).slot());
            LineFraming.Reader late = new LineFraming.Reader(Channels.newInputStream(sleeper));
            String line;
            do {
                line = late.readLine();
                assertNotNull(line, "the subscriber that did not read was dropped");
            } while (!FocusBus.CHANGED.matches(RpcMessage.decode(line)));
        }
    }

    private static PointerMoved place(RpcMessage m) throws Exception {
        return FocusBus.POINTER_MOVED.decode(m);
    }

    /** SET's params with the slot's value replaced by {@code value}, which the typed record cannot hold. */
    private static ObjectNode slotParams(JsonNode value) {
        ObjectNode params = Json.mapper().valueToTree(new FocusBus.SlotRef(0));
        params.set(params.fieldNames().next(), value);
        return params;
    }

    @Test
    void badRequestsGetClearErrorsAndTheServerGoesOn() throws Exception {
        try (RpcClient c = RpcClient.connect(tmp.resolve("input.sock"))) {
            RpcClient.CallException empty = assertThrows(RpcClient.CallException.class,
                    () -> c.call(FocusBus.SET, new FocusBus.SlotRef(5)));
            assertEquals(ErrorCode.NOT_FOUND, empty.errorCode());
            assertEquals("slot 5 holds no running VM", empty.getMessage());
            assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(RpcClient.CallException.class,
                    () -> c.call(FocusBus.SET, new FocusBus.SlotRef(12))).errorCode());
            assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(RpcClient.CallException.class,
                    () -> c.call(RAW_SET, slotParams(new TextNode("three")))).errorCode());
            assertEquals(ErrorCode.METHOD_NOT_FOUND, assertThrows(RpcClient.CallException.class,
                    () -> c.call(ToolstackApi.VM_LIST)).errorCode());
            // monitors that cannot be: every problem named by its field, nothing taken
            RpcClient.CallException heads = assertThrows(RpcClient.CallException.class, () -> c.call(FocusBus.HEADS_SET,
                    new org.polydesk.protocol.focus.HeadLayout(java.util.List.of(
                            new org.polydesk.protocol.focus.Head("HDMI A", 0, 0, 800, 600),
                            new org.polydesk.protocol.focus.Head("DP-1", 100, 0, 800, 0)))));
            assertEquals(ErrorCode.INVALID_PARAMS, heads.errorCode());
            assertEquals(java.util.List.of("heads[0].name", "heads[1].height"),
                    heads.problems().stream().map(p -> p.field()).toList());
            assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(RpcClient.CallException.class,
                    () -> c.call(FocusBus.HEADS_SET, new org.polydesk.protocol.focus.HeadLayout(java.util.List.of()))).errorCode());
            assertNull(c.call(FocusBus.GET).heads(), "no monitors were taken");
        }
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(tmp.resolve("input.sock")));
            raw.write(ByteBuffer.wrap("{not json\n".getBytes(StandardCharsets.UTF_8)));
            String reply = new LineFraming.Reader(Channels.newInputStream(raw)).readLine();
            assertNotNull(reply);
            assertEquals(ErrorCode.PARSE_ERROR.code(), Json.mapper().readTree(reply).get("error").get("code").asInt());
        }
        try (RpcClient c = RpcClient.connect(tmp.resolve("input.sock"))) {
            assertEquals(0, c.call(FocusBus.GET).slot(), "still serving after the bad input");
        }
    }
}
