package org.polydesk.display.compose;

import java.util.List;

/**
 * The scale a monitor calls for: its pixel density against the 96 dots per inch that 1x is drawn
 * for, rounded to the nearest offered step, so that the indicator and labels measure about the
 * same on a 24-inch 1080p screen and a 13-inch 4K one.
 */
public final class OutputScale {
    public static final List<Double> OFFERED = List.of(1.0, 1.25, 1.5, 2.0);
    private static final double BASE_DPI = 96;

    private OutputScale() {
    }

    public static boolean isOffered(double scale) {
        return OFFERED.contains(scale);
    }

    /**
     * For a monitor {@code widthPx} pixels and {@code widthMm} millimetres wide; 1 when its size is
     * unknown (0 mm) or implausible (a projector's, a television's that reports its aspect ratio).
     */
    public static double of(int widthPx, int widthMm) {
        if (widthMm < 100 || widthPx <= 0) {
            return 1;
        }
        double ratio = widthPx * 25.4 / widthMm / BASE_DPI;
        double best = 1;
        for (double s : OFFERED) {
            if (Math.abs(s - ratio) < Math.abs(best - ratio)) {
                best = s;
            }
        }
        return best;
    }

    /** "auto" or a step of {@link #OFFERED}: {@link IndicatorStyle#AUTO} or that step. */
    public static double parse(String text) {
        if (text.equals("auto")) {
            return IndicatorStyle.AUTO;
        }
        try {
            double s = Double.parseDouble(text);
            if (isOffered(s)) {
                return s;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("the scale must be auto, 1, 1.25, 1.5 or 2, not '" + text + "'");
    }
}
