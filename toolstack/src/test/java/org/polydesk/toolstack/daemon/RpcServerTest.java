package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;

/** Bad clients get an error or a closed connection; the daemon goes on serving everyone else. */
class RpcServerTest {
    @TempDir
    Path tmp;
    DaemonFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new DaemonFixture(tmp);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** A raw line-oriented connection, for saying things RpcClient never would. */
    private final class Raw implements AutoCloseable {
        final SocketChannel ch;
        final OutputStream out;
        final BufferedReader in;

        Raw() throws Exception {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(fixture.socket()));
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
        try (RpcClient c = RpcClient.connect(fixture.socket())) {
            assertTrue(c.callRaw(ToolstackApi.VM_LIST.name(), null).isArray());
        }
    }

    @Test
    void malformedJsonGetsAParseErrorAndTheConnectionGoesOn() throws Exception {
        try (Raw raw = new Raw()) {
            JsonNode err = raw.ask("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
            assertEquals(ErrorCode.PARSE_ERROR.code(), err.path("error").path("code").asInt());
            assertTrue(err.path("id").isNull());
            JsonNode ok = raw.ask("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"vm.list\"}");
            assertEquals(2, ok.path("id").asInt());
            assertTrue(ok.path("result").isArray());
        }
    }

    @Test
    void anUnknownMethodIsNamedInTheError() throws Exception {
        try (RpcClient c = RpcClient.connect(fixture.socket())) {
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
                    raw.ask("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"vm.list\"}").path("error").path("code").asInt());
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
            raw.out.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.info\"}\n".getBytes(StandardCharsets.UTF_8));
            raw.out.flush();
        } // gone before reading the answer
        stillServes();
    }

    @Test
    void invalidParamsAreExplained() throws Exception {
        try (RpcClient c = RpcClient.connect(fixture.socket())) {
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class, () -> c.callRaw(ToolstackApi.VM_SHOW.name(), null));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode());
            ObjectNode params = Json.mapper().createObjectNode();
            params.set("definition", Json.mapper().readTree("{\"name\":\"x\",\"memoryMib\":64,\"colour\":\"blue\"}"));
            e = assertThrows(RpcClient.CallException.class, () -> c.callRaw(ToolstackApi.VM_CREATE.name(), params));
            assertEquals(ErrorCode.INVALID_DEFINITION, e.errorCode());
            assertEquals("colour 'blue' is not of the form #rrggbb; memory 64 MiB is below the 128 MiB minimum", e.getMessage());
        }
    }

    @Test
    void subscribersReceiveLifecycleEventsInOrder() throws Exception {
        try (RpcClient events = RpcClient.connect(fixture.socket()); RpcClient c = RpcClient.connect(fixture.socket())) {
            assertEquals(List.of(), events.call(ToolstackApi.EVENTS_SUBSCRIBE), "the snapshot: no VM yet");
            String id = c.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                    VmDefinition.builder().name("Evented").memoryMib(256).build())).definition().id().toString();
            c.call(ToolstackApi.VM_DELETE, new ToolstackApi.VmRef("Evented"));

            RpcMessage created = events.nextNotification();
            assertEquals(ToolstackApi.EVENT.name(), created.method());
            assertEquals("created", created.params().path("type").asText());
            assertEquals(id, created.params().path("vm").asText());
            assertEquals(1, created.params().path("slot").asInt());
            RpcMessage deleted = events.nextNotification();
            assertEquals("deleted", deleted.params().path("type").asText());
            assertEquals(created.params().path("seq").asLong() + 1, deleted.params().path("seq").asLong());
        }
    }

    @Test
    void theSocketIsReadableAndWritableByOwnerAndGroupOnly() throws Exception {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fixture.socket())));
    }

    @Test
    void aSecondDaemonOnTheSameSocketIsRefused() {
        Exception e = assertThrows(java.io.IOException.class, () -> new DaemonFixture(tmp));
        assertTrue(e.getMessage().startsWith("another polydeskd already serves"), e.getMessage());
    }
}
