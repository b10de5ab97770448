package org.polydesk.display.compose;

import org.polydesk.display.framebuffer.Rect;

/**
 * How a source of one size sits in an output of another: the same size is copied 1:1; otherwise
 * the source is scaled (nearest neighbour, keeping its aspect ratio) to the largest size that fits
 * and centred, and the rest of the output is letterbox. The maps give, for each output column and
 * row inside {@link #target()}, the source column and row it shows.
 */
public final class Scaling {
    private final int srcWidth;
    private final int srcHeight;
    private final Rect target;
    private final int[] columns;
    private final int[] rows;

    public Scaling(int srcWidth, int srcHeight, int outWidth, int outHeight) {
        this.srcWidth = srcWidth;
        this.srcHeight = srcHeight;
        if (srcWidth <= 0 || srcHeight <= 0) {
            target = new Rect(0, 0, 0, 0);
        } else if (srcWidth == outWidth && srcHeight == outHeight) {
            target = new Rect(0, 0, outWidth, outHeight);
        } else {
            // Largest w x h with w/h = srcWidth/srcHeight inside the output, in integers.
            long w = outWidth;
            long h = w * srcHeight / srcWidth;
            if (h > outHeight) {
                h = outHeight;
                w = h * srcWidth / srcHeight;
            }
            w = Math.max(1, w);
            h = Math.max(1, h);
            target = new Rect((int) (outWidth - w) / 2, (int) (outHeight - h) / 2, (int) w, (int) h);
        }
        columns = map(srcWidth, target.width());
        rows = map(srcHeight, target.height());
    }

    private static int[] map(int src, int dst) {
        int[] m = new int[Math.max(0, dst)];
        for (int i = 0; i < m.length; i++) {
            // The source pixel under the centre of output pixel i.
            m[i] = (int) Math.min(src - 1, ((2L * i + 1) * src) / (2L * dst));
        }
        return m;
    }

    /** Whether this scaling was made for a source of this size. */
    public boolean matches(int width, int height) {
        return width == srcWidth && height == srcHeight;
    }

    public boolean isIdentity() {
        return target.x() == 0 && target.y() == 0 && target.width() == srcWidth && target.height() == srcHeight;
    }

    /** Where the source appears in the output. */
    public Rect target() {
        return target;
    }

    /** The source column shown at output column {@code target().x() + i}. */
    public int column(int i) {
        return columns[i];
    }

    /** All of {@link #column(int)}, for loops over a row; not to be modified. */
    int[] columns() {
        return columns;
    }

    public int row(int i) {
        return rows[i];
    }

    /** The output rectangle that shows the source rectangle {@code r} (clipped to the target). */
    public Rect toOutput(Rect r) {
        if (target.isEmpty()) {
            return new Rect(0, 0, 0, 0);
        }
        if (isIdentity()) {
            int left = Math.max(0, r.x());
            int top = Math.max(0, r.y());
            int right = Math.min(srcWidth, r.x() + r.width());
            int bottom = Math.min(srcHeight, r.y() + r.height());
            return right <= left || bottom <= top ? new Rect(0, 0, 0, 0) : new Rect(left, top, right - left, bottom - top);
        }
        long x0 = (long) r.x() * target.width() / srcWidth;
        long y0 = (long) r.y() * target.height() / srcHeight;
        long x1 = ceilDiv((long) (r.x() + r.width()) * target.width(), srcWidth) + 1;
        long y1 = ceilDiv((long) (r.y() + r.height()) * target.height(), srcHeight) + 1;
        int left = (int) Math.max(0, x0 - 1);
        int top = (int) Math.max(0, y0 - 1);
        int right = (int) Math.min(target.width(), x1);
        int bottom = (int) Math.min(target.height(), y1);
        if (right <= left || bottom <= top) {
            return new Rect(0, 0, 0, 0);
        }
        return new Rect(target.x() + left, target.y() + top, right - left, bottom - top);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
