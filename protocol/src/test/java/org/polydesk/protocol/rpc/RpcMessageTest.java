package org.polydesk.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelope built and taken apart by hand reads and writes as Jackson's binding of the record does. */
class RpcMessageTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void encodeWritesWhatBindingTheRecordWritesAndDecodeReadsItBack() throws Exception {
        JsonNode params = Json.mapper().readTree("{\"vm\":\"Work\",\"n\":[1,2,{\"x\":null}]}");
        List<RpcMessage> messages = List.of(
                RpcMessage.request(7, "vm.list", null),
                RpcMessage.request(8, "vm.show", params),
                RpcMessage.notification("vm.event", params),
                RpcMessage.result(F.numberNode(7), null),
                RpcMessage.result(F.textNode("a"), params),
                RpcMessage.error(null, new RpcError(ErrorCode.PARSE_ERROR, "not valid JSON")),
                RpcMessage.error(F.numberNode(3), new RpcError(1001, "bad", Json.mapper().readTree(
                        "[{\"field\":\"definition.memoryMib\",\"problem\":\"too small\"}]"))));
        for (RpcMessage m : messages) {
            String line = m.encode();
            assertEquals(Json.mapper().readTree(Json.mapper().writeValueAsString(m)), Json.mapper().readTree(line), line);
            assertEquals(RpcMethod.LENIENT.readValue(line, RpcMessage.class), RpcMessage.decode(line), line);
        }
        assertTrue(RpcMessage.decode(RpcMessage.notification("x", null).encode()).isNotification());
        assertEquals("[Problem[field=definition.memoryMib, problem=too small]]",
                RpcMessage.decode(messages.get(6).encode()).error().problems().toString());
    }

    @Test
    void decodeRefusesWhatIsNotAMessageSayingWhat() throws Exception {
        for (String bad : List.of("", "null", "[1]", "42", "{\"method\":{}}", "{\"error\":{\"message\":\"no code\"}}",
                "{\"error\":7}", "{\"id\":1} trailing", "{\"jsonrpc\":[\"2.0\"]}")) {
            assertThrows(IOException.class, () -> RpcMessage.decode(bad), bad);
        }
        RpcMessage unknown = RpcMessage.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"extra\":true}");
        assertEquals(1, unknown.id().asInt(), "a newer peer's members are passed over");
        assertNull(unknown.error());
    }
}
