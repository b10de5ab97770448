package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.LineFraming;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * polydeskd's wire behaviour, through protocol's RpcServer: malformed JSON, oversized lines, wrong
 * requests and params get an error or a closed connection and the daemon goes on serving everyone
 * else; subscribers get events in order; the socket's mode; a second daemon on the same socket.
 */
class PolydeskdWireTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;

    @BeforeEach
    void start() throws Exception {
        polydeskd = TestPolydeskd.start(tmp);
    }

    @AfterEach
    void stop() {
        polydeskd.close();
    }

    /** A raw line-oriented connection, for saying things RpcClient never would. */
    private final class Raw implements AutoCloseable {
        final SocketChannel ch;
        final OutputStream out;
        final BufferedReader in;

        Raw() throws Exception {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(polydeskd.socket()));
            out = Channels.newOutputStream(ch);
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        }

        JsonNode ask(String line) throws Exception {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = in.readLine();
            return reply == null ? null : Json.mapper().readTree(reply);
        }

        @Override
        public void close() throws Exception {
            ch.close();
        }
    }

    private void stillServes() throws Exception {
        assertEquals(List.of(), polydeskd.call(ToolstackApi.VM_LIST));
    }

    @Test
    void malformedJsonGetsAParseErrorAndTheConnectionGoesOn() throws Exception {
        try (Raw raw = new Raw()) {
            JsonNode err = raw.ask("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
            assertEquals(ErrorCode.PARSE_ERROR.code(), err.path("error").path("code").asInt());
            assertTrue(err.path("id").isNull());
            JsonNode ok = raw.ask("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"" + ToolstackApi.VM_LIST.name() + "\"}");
            assertEquals(2, ok.path("id").asInt());
            assertTrue(ok.path("result").isArray());
        }
    }

    @Test
    void anUnknownMethodIsNamedInTheError() throws Exception {
        try (RpcClient c = polydeskd.connect()) {
            // A method nobody declares, which no typed call can name.
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class, () -> c.callRaw("vm.explode", null));
            assertEquals(ErrorCode.METHOD_NOT_FOUND, e.errorCode());
            assertTrue(e.getMessage().startsWith("no method 'vm.explode' (polydeskd has vm.list, "), e.getMessage());
        }
    }

    @Test
    void somethingThatIsNotARequestIsRefused() throws Exception {
        try (Raw raw = new Raw()) {
            assertEquals(ErrorCode.INVALID_REQUEST.code(), raw.ask("[1,2,3]").path("error").path("code").asInt());
            assertEquals(ErrorCode.INVALID_REQUEST.code(),
                    raw.ask("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"" + ToolstackApi.VM_LIST.name() + "\"}").path("error").path("code").asInt());
        }
    }

    @Test
    void anOversizedLineIsAnsweredThenTheConnectionIsClosed() throws Exception {
        try (Raw raw = new Raw()) {
            byte[] huge = new byte[LineFraming.MAX_LINE_BYTES + 4096];
            java.util.Arrays.fill(huge, (byte) 'x');
            raw.out.write(huge);
            raw.out.flush();
            JsonNode err = Json.mapper().readTree(raw.in.readLine());
            assertEquals(ErrorCode.LINE_TOO_LONG.code(), err.path("error").path("code").asInt());
            raw.ch.shutdownOutput();
            assertNull(raw.in.readLine(), "the connection is closed after the error");
        }
        stillServes();
    }

    @Test
    void aClientGoneMidRequestHarmsNobody() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Raw raw = new Raw()) {
                raw.out.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vm.cre".getBytes(StandardCharsets.UTF_8));
                raw.out.flush();
            }
        }
        try (Raw raw = new Raw()) {
            raw.out.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + ToolstackApi.HOST_INFO.name() + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
            raw.out.flush();
        } // gone before reading the answer
        stillServes();
    }

    @Test
    void invalidParamsAreExplained() throws Exception {
        try (RpcClient c = polydeskd.connect()) {
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class, () -> c.call(ToolstackApi.VM_SHOW, null));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode(), "no params at all");
            e = assertThrows(RpcClient.CallException.class, () -> c.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                    VmDefinition.builder().name("x").memoryMib(64).colour("blue").build())));
            assertEquals(ErrorCode.INVALID_DEFINITION, e.errorCode());
            assertEquals("colour 'blue' is not of the form #rrggbb; memory 64 MiB is below the 128 MiB minimum", e.getMessage());
        }
    }

    /** The next lifecycle event; the subscription's other notifications (audio, network) are passed over. */
    private static RpcMessage nextLifecycleEvent(RpcClient events) throws Exception {
        RpcMessage m;
        do {
            m = events.nextNotification();
        } while (m != null && (ToolstackApi.AUDIO_EVENT.matches(m) || ToolstackApi.NETWORK_EVENT.matches(m)));
        return m;
    }

    @Test
    void subscribersReceiveLifecycleEventsInOrder() throws Exception {
        try (RpcClient events = polydeskd.connect(); RpcClient c = polydeskd.connect()) {
            assertEquals(List.of(), events.call(ToolstackApi.EVENTS_SUBSCRIBE), "the snapshot: no VM yet");
            String id = c.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                    VmDefinition.builder().name("Evented").memoryMib(256).build())).definition().id().toString();
            c.call(ToolstackApi.VM_DELETE, new ToolstackApi.VmRef("Evented"));

            RpcMessage m = nextLifecycleEvent(events);
            assertTrue(ToolstackApi.EVENT.matches(m), m.method());
            LifecycleEvent created = ToolstackApi.EVENT.decode(m);
            assertEquals(LifecycleEvent.Type.CREATED, created.type());
            assertEquals(id, created.vm().toString());
            assertEquals(1, created.slot());
            LifecycleEvent deleted = ToolstackApi.EVENT.decode(nextLifecycleEvent(events));
            assertEquals(LifecycleEvent.Type.DELETED, deleted.type());
            assertEquals(created.seq() + 1, deleted.seq());
        }
    }

    @Test
    void theSocketIsReadableAndWritableByOwnerAndGroupOnly() throws Exception {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(polydeskd.socket())));
    }

    @Test
    void aSecondDaemonOnTheSameSocketIsRefused() {
        Exception e = assertThrows(java.io.IOException.class, () -> TestPolydeskd.start(tmp));
        assertTrue(e.getMessage().startsWith("another polydeskd already serves"), e.getMessage());
    }
}
