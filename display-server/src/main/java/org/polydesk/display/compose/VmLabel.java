package org.polydesk.display.compose;

/** What the trusted indicator says about a surface: its slot, the VM's name and colour (0xRRGGBB). */
public record VmLabel(int slot, String name, int rgb) {

    /** The control UI in slot 0. */
    public static final VmLabel CONTROL_UI = new VmLabel(0, "Polydesk", 0x4A6FA5);

    /** Parses the toolstack's colour ("#RRGGBB" or "RRGGBB"); grey when absent or malformed. */
    public static int parseColour(String colour) {
        if (colour != null) {
            String hex = colour.startsWith("#") ? colour.substring(1) : colour;
            if (hex.matches("[0-9A-Fa-f]{6}")) {
                return Integer.parseInt(hex, 16);
            }
        }
        return 0x808080;
    }
}
