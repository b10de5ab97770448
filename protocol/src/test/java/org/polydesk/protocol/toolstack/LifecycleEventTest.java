package org.polydesk.protocol.toolstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.vm.VmState;

/** The passthrough GPU on the wire: present on a GPU VM's events, absent on the others, read back as written. */
class LifecycleEventTest {
    private static final UUID VM = UUID.fromString("5e0c3a52-6f43-4b8e-9d1b-0c2f6a7e8d91");

    @Test
    void aGpuVmsStartSaysWhichCardItTookAndWhetherDom0sConsoleWentWithIt() throws Exception {
        LifecycleEvent e = new LifecycleEvent(7, LifecycleEvent.Type.RUNNING, VM, "Gaming", 1, null, null,
                new LifecycleEvent.Gpu("0000:01:00.0", List.of("0000:01:00.0", "0000:01:00.1"), true), VmState.RUNNING);
        JsonNode wire = Json.mapper().readTree(Json.mapper().writeValueAsString(e));
        assertEquals(Json.mapper().readTree("""
                {"seq": 7, "type": "running", "state": "running", "vm": "%s", "name": "Gaming", "slot": 1,
                 "gpu": {"address": "0000:01:00.0", "functions": ["0000:01:00.0", "0000:01:00.1"], "console": true}}
                """.formatted(VM)), wire);
        assertEquals(e, Json.mapper().treeToValue(wire, LifecycleEvent.class));
    }

    @Test
    void otherVmsEventsHaveNoGpu() throws Exception {
        LifecycleEvent e = new LifecycleEvent(8, LifecycleEvent.Type.STOPPED, VM, "Debian", 2, null, "the guest powered off",
                null, VmState.STOPPED);
        String wire = Json.mapper().writeValueAsString(e);
        assertFalse(Json.mapper().readTree(wire).has("gpu"), wire);
        assertEquals(e, Json.mapper().readValue(wire, LifecycleEvent.class));
    }
}
