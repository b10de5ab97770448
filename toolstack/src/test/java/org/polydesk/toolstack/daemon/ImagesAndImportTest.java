package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.ToolstackApi.DiskCreate;
import org.polydesk.protocol.toolstack.XlImportResult;

/** disk.create and xlcfg.parse, which the control UI's form uses, against a real polydeskd. */
class ImagesAndImportTest {
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

    @Test
    void createsAnImageOfTheSizeAskedAndNeverOverwritesOne() throws Exception {
        Path image = Path.of(polydeskd.call(ToolstackApi.DISK_CREATE, new DiskCreate("win11", 20L, "qcow2")).path());
        assertEquals(tmp.resolve("images").resolve("win11.qcow2"), image);
        Process info = new ProcessBuilder("qemu-img", "info", "--output=json", image.toString()).start();
        JsonNode facts = Json.mapper().readTree(new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(20L << 30, facts.path("virtual-size").asLong());
        assertEquals("qcow2", facts.path("format").asText());

        long before = Files.size(image);
        RpcClient.CallException again = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.DISK_CREATE, new DiskCreate("win11", 40L, "qcow2")));
        assertEquals(ErrorCode.STORE_FAILED, again.errorCode());
        assertTrue(again.getMessage().contains("exists already"), again.getMessage());
        assertEquals(before, Files.size(image), "the existing image is untouched");

        String raw = polydeskd.call(ToolstackApi.DISK_CREATE, new DiskCreate("scratch", 1L, "raw")).path();
        assertEquals(1L << 30, Files.size(Path.of(raw)));
        try (var files = Files.list(tmp.resolve("images"))) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".")), "no temporary files left");
        }
    }

    @Test
    void badImageRequestsAreRefusedWithTheReason() throws Exception {
        for (DiskCreate bad : new DiskCreate[] {new DiskCreate("../etc/passwd", 1L, "raw"), new DiskCreate("", 1L, "raw"),
            new DiskCreate("ok", 0L, "raw"), new DiskCreate("ok", 1L, "vmdk")}) {
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                    () -> polydeskd.call(ToolstackApi.DISK_CREATE, bad));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode(), bad + ": " + e.getMessage());
        }
        // A size that is not a number, which no typed call can send.
        try (RpcClient c = polydeskd.connect()) {
            JsonNode ten = Json.mapper().createObjectNode().put("name", "ok").put("sizeGib", "ten").put("format", "raw");
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                    () -> c.callRaw(ToolstackApi.DISK_CREATE.name(), ten));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode(), ten + ": " + e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("etc")), "nothing written outside the image directory");
    }

    @Test
    void parsesAnXlConfigIntoADefinitionAndCreatesNothing() throws Exception {
        String cfg = "name = \"debian\"\ntype = \"hvm\"\nmemory = 2048\nvcpus = 2\n"
                + "disk = [ '/srv/debian.qcow2,qcow2,xvda,rw' ]\ncpuid = \"host,tm=0\"\n";
        XlImportResult r = polydeskd.call(ToolstackApi.XLCFG_PARSE, new ToolstackApi.XlParse(cfg));
        assertEquals("debian", r.definition().name());
        assertEquals(2048, r.definition().memoryMib());
        assertEquals("/srv/debian.qcow2", r.definition().disks().get(0).path());
        assertEquals("cpuid", r.unsupported().get(0).key());
        assertEquals(6, r.unsupported().get(0).line());
        assertEquals(0, polydeskd.call(ToolstackApi.VM_LIST).size(), "parsing creates no VM");

        RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.XLCFG_PARSE, new ToolstackApi.XlParse("memory = = 3\n")));
        assertEquals(ErrorCode.INVALID_DEFINITION, e.errorCode());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
