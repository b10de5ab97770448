package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.rpc.RpcClient;

/** disk.create and xlcfg.parse, which the control UI's form uses, against a real polydeskd. */
class ImagesAndImportTest {
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

    private JsonNode call(String method, JsonNode params) throws Exception {
        try (RpcClient c = RpcClient.connect(fixture.socket())) {
            return c.callRaw(method, params);
        }
    }

    private static ObjectNode disk(String name, Object size, String format) {
        ObjectNode p = Json.mapper().createObjectNode().put("name", name);
        if (size instanceof Integer i) {
            p.put("sizeGib", i);
        } else {
            p.put("sizeGib", String.valueOf(size));
        }
        return format == null ? p : p.put("format", format);
    }

    @Test
    void createsAnImageOfTheSizeAskedAndNeverOverwritesOne() throws Exception {
        JsonNode made = call(ToolstackApi.DISK_CREATE.name(), disk("win11", 20, "qcow2"));
        Path image = Path.of(made.path("path").asText());
        assertEquals(tmp.resolve("images").resolve("win11.qcow2"), image);
        Process info = new ProcessBuilder("qemu-img", "info", "--output=json", image.toString()).start();
        JsonNode facts = Json.mapper().readTree(new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(20L << 30, facts.path("virtual-size").asLong());
        assertEquals("qcow2", facts.path("format").asText());

        long before = Files.size(image);
        RpcClient.CallException again = assertThrows(RpcClient.CallException.class,
                () -> call(ToolstackApi.DISK_CREATE.name(), disk("win11", 40, "qcow2")));
        assertEquals(ErrorCode.STORE_FAILED, again.errorCode());
        assertTrue(again.getMessage().contains("exists already"), again.getMessage());
        assertEquals(before, Files.size(image), "the existing image is untouched");

        JsonNode raw = call(ToolstackApi.DISK_CREATE.name(), disk("scratch", 1, "raw"));
        assertEquals(1L << 30, Files.size(Path.of(raw.path("path").asText())));
        try (var files = Files.list(tmp.resolve("images"))) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".")), "no temporary files left");
        }
    }

    @Test
    void badImageRequestsAreRefusedWithTheReason() {
        for (ObjectNode bad : new ObjectNode[] {disk("../etc/passwd", 1, "raw"), disk("", 1, "raw"),
            disk("ok", 0, "raw"), disk("ok", "ten", "raw"), disk("ok", 1, "vmdk")}) {
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class, () -> call(ToolstackApi.DISK_CREATE.name(), bad));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode(), bad + ": " + e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("etc")), "nothing written outside the image directory");
    }

    @Test
    void parsesAnXlConfigIntoADefinitionAndCreatesNothing() throws Exception {
        String cfg = "name = \"debian\"\ntype = \"hvm\"\nmemory = 2048\nvcpus = 2\n"
                + "disk = [ '/srv/debian.qcow2,qcow2,xvda,rw' ]\ncpuid = \"host,tm=0\"\n";
        JsonNode r = call(ToolstackApi.XLCFG_PARSE.name(), Json.mapper().createObjectNode().put("text", cfg));
        assertEquals("debian", r.path("definition").path("name").asText());
        assertEquals(2048, r.path("definition").path("memoryMib").asInt());
        assertEquals("/srv/debian.qcow2", r.path("definition").path("disks").get(0).path("path").asText());
        assertEquals("cpuid", r.path("unsupported").get(0).path("key").asText());
        assertEquals(6, r.path("unsupported").get(0).path("line").asInt());
        assertEquals(0, call(ToolstackApi.VM_LIST.name(), null).size(), "parsing creates no VM");

        RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                () -> call(ToolstackApi.XLCFG_PARSE.name(), Json.mapper().createObjectNode().put("text", "memory = = 3\n")));
        assertEquals(ErrorCode.INVALID_DEFINITION, e.errorCode());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
