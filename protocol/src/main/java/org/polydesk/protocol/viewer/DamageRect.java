package org.polydesk.protocol.viewer;

import java.util.List;

/** A changed rectangle of a frame, in pixels. */
public record DamageRect(int x, int y, int width, int height) {

    /** The smallest rectangle that holds all of {@code rects} (which must not be empty). */
    public static DamageRect bounds(List<DamageRect> rects) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = Integer.MIN_VALUE;
        int y1 = Integer.MIN_VALUE;
        for (DamageRect r : rects) {
            x0 = Math.min(x0, r.x);
            y0 = Math.min(y0, r.y);
            x1 = Math.max(x1, r.x + r.width);
            y1 = Math.max(y1, r.y + r.height);
        }
        return new DamageRect(x0, y0, x1 - x0, y1 - y0);
    }

    /** True if this lies inside a {@code width}×{@code height} frame and is not empty. */
    public boolean within(int frameWidth, int frameHeight) {
        return x >= 0 && y >= 0 && width > 0 && height > 0
                && x <= frameWidth - width && y <= frameHeight - height;
    }
}
