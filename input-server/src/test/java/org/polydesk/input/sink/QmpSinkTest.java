package org.polydesk.input.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.testing.FakeQmp;
import org.polydesk.input.testing.Recording;
import org.polydesk.protocol.rpc.Json;

class QmpSinkTest {
    @TempDir
    Path tmp;

    static JsonNode next(FakeQmp qmp) throws Exception {
        String line = qmp.lines.poll(10, TimeUnit.SECONDS);
        assertNotNull(line, "QMP got no command");
        return Json.mapper().readTree(line);
    }

    @Test
    void oneInputSendEventPerFrameWithQcodesButtonsWheelAndRelativeMotion() throws Exception {
        try (FakeQmp qmp = new FakeQmp(tmp.resolve("vm/qmp.sock"));
             QmpSink sink = new QmpSink(tmp.resolve("vm/qmp.sock"), false)) {
            sink.key(Recording.code("leftshift"), true);
            sink.key(Recording.code("a"), true);
            sink.flush();
            sink.motion(5, -3, 0.2, 0.3);
            sink.button(EventCodes.BTN_LEFT, true);
            sink.wheel(1, 0);
            sink.flush();
            sink.flush(); // an empty frame sends nothing
            sink.key(Recording.code("enter"), false);
            sink.flush();
            JsonNode first = next(qmp);
            assertEquals("input-send-event", first.get("execute").asText());
            assertEquals(Json.mapper().readTree("[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"shift\"}}},"
                    + "{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]"),
                    first.get("arguments").get("events"));
            assertEquals(Json.mapper().readTree("[{\"type\":\"rel\",\"data\":{\"axis\":\"x\",\"value\":5}},"
                    + "{\"type\":\"rel\",\"data\":{\"axis\":\"y\",\"value\":-3}},"
                    + "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"left\"}},"
                    + "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"wheel-up\"}},"
                    + "{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"wheel-up\"}}]"),
                    next(qmp).get("arguments").get("events"));
            assertEquals("ret", next(qmp).get("arguments").get("events").get(0).get("data").get("key").get("data").asText());
        }
    }

    @Test
    void anAbsolutePointerIsScaledTo0To32767() throws Exception {
        try (FakeQmp qmp = new FakeQmp(tmp.resolve("vm/qmp.sock"));
             QmpSink sink = new QmpSink(tmp.resolve("vm/qmp.sock"), true)) {
            sink.motion(3, 3, 1.0, 0.5);
            sink.flush();
            assertEquals(Json.mapper().readTree("[{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":32767}},"
                    + "{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":16384}}]"), next(qmp).get("arguments").get("events"));
        }
    }

    @Test
    void aDeadSocketNeverThrowsAndTheSinkReconnectsWhenQemuIsBack() throws Exception {
        Path socket = tmp.resolve("vm/qmp.sock");
        try (QmpSink sink = new QmpSink(socket, false)) {
            sink.key(Recording.code("a"), true);
            sink.flush(); // nobody listens: dropped, logged
            Thread.sleep(200);
            assertTrue(!sink.connected());
            try (FakeQmp qmp = new FakeQmp(socket)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String got = null;
                while (got == null && System.nanoTime() < deadline) {
                    sink.key(Recording.code("b"), true);
                    sink.flush();
                    got = qmp.lines.poll(200, TimeUnit.MILLISECONDS);
                }
                assertNotNull(got, "the sink connected once QMP was there");
                assertTrue(got.contains("\"b\""));
                // QEMU drops the connection (it restarted): the sink notices and comes back.
                qmp.dropClient();
                qmp.lines.clear();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                got = null;
                while (got == null && System.nanoTime() < deadline) {
                    sink.key(Recording.code("c"), true);
                    sink.flush();
                    got = qmp.lines.poll(200, TimeUnit.MILLISECONDS);
                }
                assertNotNull(got, "the sink reconnected after QEMU dropped it");
            }
        }
    }
}
