package org.polydesk.display.framebuffer;

/**
 * A pointer image as the guest defined it: {@code argb} is width × height pixels, row-major,
 * alpha 0xFF where the cursor is drawn and 0 where it is transparent; (hotX, hotY) is the pixel
 * that sits at the pointer position. The frame buffer never contains the cursor.
 */
public record CursorShape(int[] argb, int width, int height, int hotX, int hotY) {

    /** No cursor image: the guest hid its pointer (a 0×0 cursor). */
    public static final CursorShape HIDDEN = new CursorShape(new int[0], 0, 0, 0, 0);

    public boolean isHidden() {
        return width == 0 || height == 0;
    }
}
