package org.polydesk.display.framebuffer;

/** A rectangle of pixels: left, top, width, height. */
public record Rect(int x, int y, int width, int height) {

    public boolean isEmpty() {
        return width <= 0 || height <= 0;
    }

    public boolean contains(Rect r) {
        return r.x >= x && r.y >= y && r.x + r.width <= x + width && r.y + r.height <= y + height;
    }

    /** The smallest rectangle holding both. */
    public Rect union(Rect r) {
        int left = Math.min(x, r.x);
        int top = Math.min(y, r.y);
        int right = Math.max(x + width, r.x + r.width);
        int bottom = Math.max(y + height, r.y + r.height);
        return new Rect(left, top, right - left, bottom - top);
    }

    /** The part of this rectangle inside {@code r}; empty (0x0 at 0,0) when there is none. */
    public Rect intersection(Rect r) {
        int left = Math.max(x, r.x);
        int top = Math.max(y, r.y);
        int right = Math.min(x + width, r.x + r.width);
        int bottom = Math.min(y + height, r.y + r.height);
        return right <= left || bottom <= top ? new Rect(0, 0, 0, 0) : new Rect(left, top, right - left, bottom - top);
    }

    public boolean intersects(Rect r) {
        return !isEmpty() && !r.isEmpty() && r.x < x + width && x < r.x + r.width && r.y < y + height
                && y < r.y + r.height;
    }

    public long area() {
        return (long) width * height;
    }
}
