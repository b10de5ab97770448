package org.polydesk.protocol.focus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;
import org.polydesk.protocol.rpc.Json;

/** pointer.moved on the wire: read back as written; every place off the screen refused with its reason. */
class PointerMovedTest {

    @Test
    void aPlaceCrossesAsWritten() throws Exception {
        PointerMoved p = new PointerMoved(2, 0.25, 1.0);
        String wire = Json.mapper().writeValueAsString(p);
        assertEquals(Json.mapper().readTree("{\"slot\": 2, \"x\": 0.25, \"y\": 1.0}"), Json.mapper().readTree(wire));
        assertEquals(p, Json.mapper().readValue(wire, PointerMoved.class));
    }

    @Test
    void placesOffTheScreenAndMissingAxesAreRefused() {
        String[][] bad = {
            {"{\"slot\": 1, \"x\": 1.5, \"y\": 0.5}", "outside the screen"},
            {"{\"slot\": 1, \"x\": 0.5, \"y\": -0.01}", "outside the screen"},
            {"{\"slot\": 10, \"x\": 0.5, \"y\": 0.5}", "slot 10"},
            {"{\"slot\": -1, \"x\": 0.5, \"y\": 0.5}", "slot -1"},
            {"{\"slot\": 1, \"y\": 0.5}", "'x'"},
            {"{\"x\": 0.5, \"y\": 0.5}", "'slot'"},
            {"{\"slot\": 1, \"x\": \"left\", \"y\": 0.5}", "left"},
        };
        for (String[] b : bad) {
            JsonProcessingException e = assertThrows(JsonProcessingException.class,
                    () -> Json.mapper().readValue(b[0], PointerMoved.class), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + " → " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new PointerMoved(1, Double.NaN, 0));
    }
}
