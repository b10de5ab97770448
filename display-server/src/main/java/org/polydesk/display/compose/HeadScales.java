package org.polydesk.display.compose;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HiDPI scale the user set ({@code --scale}): one for every monitor ({@code 2}, or {@code auto},
 * each monitor's own from its density), and any monitor's by its name ({@code eDP-1=2
 * HDMI-A-1=1}); a monitor not named takes the one for every monitor.
 */
public record HeadScales(double all, Map<String, Double> byHead) {
    public static final HeadScales AUTO = new HeadScales(IndicatorStyle.AUTO, Map.of());

    public HeadScales {
        byHead = Map.copyOf(byHead);
    }

    public static HeadScales parse(String text) {
        Double all = null;
        Map<String, Double> byHead = new LinkedHashMap<>();
        for (String token : text.strip().split("[\\s,]+")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            if (eq < 0) {
                if (all != null) {
                    throw new IllegalArgumentException("the scale '" + text + "' gives the one for every monitor twice");
                }
                all = OutputScale.parse(token);
            } else if (eq == 0 || byHead.put(token.substring(0, eq), OutputScale.parse(token.substring(eq + 1))) != null) {
                throw new IllegalArgumentException("the scale '" + text + "': write each monitor once, like 'eDP-1=2 HDMI-A-1=1'");
            }
        }
        return new HeadScales(all == null ? IndicatorStyle.AUTO : all, byHead);
    }

    /** The scale the user set for {@code head}, or {@link IndicatorStyle#AUTO}. */
    public double forHead(String head) {
        return byHead.getOrDefault(head, all);
    }

    /** The scale {@code head} is drawn at: the user's, else the monitor's own. */
    public double on(String head, double monitorScale) {
        double set = forHead(head);
        return set != IndicatorStyle.AUTO ? set : monitorScale;
    }
}
