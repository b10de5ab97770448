package org.polydesk.viewer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The scale the viewer tells dom0: the OS's, rounded to what the indicator is drawn at; or the one given. */
class ViewerScaleTest {
    @Test
    void theOsScaleIsRoundedToAnOfferedOne() {
        assertEquals(1.0, ViewerApp.nearestScale(1.0));
        assertEquals(1.25, ViewerApp.nearestScale(1.2)); // Windows at 120 %
        assertEquals(1.5, ViewerApp.nearestScale(1.75 - 0.1));
        assertEquals(2.0, ViewerApp.nearestScale(3.0), "beyond 2x: 2x");
        assertEquals(1.0, ViewerApp.nearestScale(0.5));
    }

    @Test
    void aGivenScaleIsOneOfThoseOffered() {
        assertEquals(2.0, ViewerApp.parseScale("2"));
        assertEquals(1.25, ViewerApp.parseScale("1.25"));
        assertEquals(1.0, ViewerApp.parseScale("1.0"));
        assertEquals(0.0, ViewerApp.parseScale("1.75"));
        assertEquals(0.0, ViewerApp.parseScale("two"));
    }
}
