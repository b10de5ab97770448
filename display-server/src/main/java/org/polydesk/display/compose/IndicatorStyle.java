package org.polydesk.display.compose;

import java.time.Duration;

/**
 * How the trusted indicator looks: the banner with the VM's name and colour shown for
 * {@code bannerTime} after every switch, and, when {@code borderPx > 0}, a border of that
 * thickness in the VM's colour around the whole screen.
 */
public record IndicatorStyle(Duration bannerTime, int borderPx) {
    public static final IndicatorStyle DEFAULT = new IndicatorStyle(Duration.ofMillis(1500), 0);

    public IndicatorStyle {
        if (bannerTime.isNegative()) {
            throw new IllegalArgumentException("the banner time cannot be negative");
        }
        if (borderPx < 0 || borderPx > 32) {
            throw new IllegalArgumentException("the border must be 0 to 32 pixels, not " + borderPx);
        }
    }
}
