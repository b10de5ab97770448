package org.polydesk.display.compose;

import java.time.Duration;

/**
 * How the trusted indicator looks: the banner with the VM's name and colour shown for
 * {@code bannerTime} after every switch, and, when {@code borderPx > 0}, a border of that
 * thickness in the VM's colour around the whole screen. Both are drawn at a scale for the
 * monitor's pixel density: {@code scale} when set (1, 1.25, 1.5 or 2), else ({@link #AUTO}) the
 * one the sink's monitor calls for ({@link OutputScale}).
 */
public record IndicatorStyle(Duration bannerTime, int borderPx, double scale) {
    public static final double AUTO = 0;
    public static final IndicatorStyle DEFAULT = new IndicatorStyle(Duration.ofMillis(1500), 0);

    public IndicatorStyle {
        if (bannerTime.isNegative()) {
            throw new IllegalArgumentException("the banner time cannot be negative");
        }
        if (borderPx < 0 || borderPx > 32) {
            throw new IllegalArgumentException("the border must be 0 to 32 pixels, not " + borderPx);
        }
        if (scale != AUTO && !OutputScale.isOffered(scale)) {
            throw new IllegalArgumentException("the scale must be auto or one of " + OutputScale.OFFERED + ", not " + scale);
        }
    }

    /** At the monitor's own scale. */
    public IndicatorStyle(Duration bannerTime, int borderPx) {
        this(bannerTime, borderPx, AUTO);
    }

    /** The scale to draw at on a monitor whose own is {@code monitorScale}. */
    public double scaleOn(double monitorScale) {
        return scale != AUTO ? scale : monitorScale;
    }
}
