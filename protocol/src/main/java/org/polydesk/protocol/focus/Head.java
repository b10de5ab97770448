package org.polydesk.protocol.focus;

/**
 * A monitor of dom0's screen as the display server drives it: its connector's name as the kernel
 * says it ({@code HDMI-A-1}, {@code eDP-1}), where it sits in the desktop the pointer crosses (in
 * pixels, the layout the user set) and its size in pixels.
 */
public record Head(String name, int x, int y, int width, int height) {
    public static final String NAME = "name", WIDTH = "width", HEIGHT = "height";
    public static final int MAX_NAME = 64;

    /** What is wrong with {@code name} as a monitor's name, or null when it is one. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || !name.chars().allMatch(c -> c > ' ' && c < 127)) {
            return "a monitor's name is its connector's, 1 to " + MAX_NAME + " printable characters without spaces, like HDMI-A-1";
        }
        return null;
    }

    public boolean contains(double px, double py) {
        return px >= x && px < x + width && py >= y && py < y + height;
    }

    boolean overlaps(Head o) {
        return x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height;
    }
}
