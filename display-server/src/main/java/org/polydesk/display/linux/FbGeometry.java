package org.polydesk.display.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a framebuffer looks like, read from {@code struct fb_var_screeninfo} and
 * {@code struct fb_fix_screeninfo}: visible size, bits per pixel, where red, green and blue sit in a
 * pixel, the length of a line in bytes and the panning offset. Plain data, so the pixel conversion
 * is tested without a device.
 */
public record FbGeometry(int width, int height, int bitsPerPixel, Channel red, Channel green, Channel blue,
                         int lineLength, int xOffset, int yOffset, long memoryLength) {

    /** One colour channel: its lowest bit in the pixel and how many bits it has. */
    public record Channel(int offset, int length) {
    }

    /** The usual 32-bit XRGB8888 and 16-bit RGB565 layouts. */
    public static FbGeometry xrgb8888(int width, int height) {
        return new FbGeometry(width, height, 32, new Channel(16, 8), new Channel(8, 8), new Channel(0, 8),
                width * 4, 0, 0, (long) width * height * 4);
    }

    public static FbGeometry rgb565(int width, int height) {
        return new FbGeometry(width, height, 16, new Channel(11, 5), new Channel(5, 6), new Channel(0, 5),
                width * 2, 0, 0, (long) width * height * 2);
    }

    static FbGeometry parse(byte[] var, byte[] fix) throws IOException {
        ByteBuffer v = ByteBuffer.wrap(var).order(ByteOrder.nativeOrder());
        ByteBuffer f = ByteBuffer.wrap(fix).order(ByteOrder.nativeOrder());
        FbGeometry g = new FbGeometry(v.getInt(0), v.getInt(4), v.getInt(24),
                new Channel(v.getInt(32), v.getInt(36)), new Channel(v.getInt(44), v.getInt(48)),
                new Channel(v.getInt(56), v.getInt(60)), f.getInt(48), v.getInt(16), v.getInt(20),
                Integer.toUnsignedLong(f.getInt(24)));
        g.check();
        return g;
    }

    /** Refuses what the sink cannot draw, with the reason. */
    public void check() throws IOException {
        if (bitsPerPixel != 16 && bitsPerPixel != 32) {
            throw new IOException("the framebuffer has " + bitsPerPixel + " bits per pixel; only 16 and 32 are handled");
        }
        for (Channel c : new Channel[] {red, green, blue}) {
            if (c.length() < 1 || c.length() > 8 || c.offset() < 0 || c.offset() + c.length() > bitsPerPixel) {
                throw new IOException("the framebuffer's colour layout is not one of packed RGB (" + this + ")");
            }
        }
        if (width <= 0 || height <= 0 || lineLength < width * (bitsPerPixel / 8)
                || mappedLength() > memoryLength) {
            throw new IOException("the framebuffer's geometry does not add up (" + this + ")");
        }
    }

    public int bytesPerPixel() {
        return bitsPerPixel / 8;
    }

    /** The byte offset of visible pixel (x, y) in the mapped memory. */
    public long offset(int x, int y) {
        return (long) (y + yOffset) * lineLength + (long) (x + xOffset) * bytesPerPixel();
    }

    /** The bytes to map: up to the end of the last visible line. */
    public long mappedLength() {
        return offset(0, height);
    }

    /** Whether pixels are 0x00RRGGBB ints, so rows copy without conversion. */
    public boolean isXrgb8888() {
        return bitsPerPixel == 32 && red.equals(new Channel(16, 8)) && green.equals(new Channel(8, 8))
                && blue.equals(new Channel(0, 8));
    }

    /** The device's pixel value for an 0xAARRGGBB colour. */
    public int encode(int argb) {
        return channel(argb >>> 16, red) | channel(argb >>> 8, green) | channel(argb, blue);
    }

    private static int channel(int value8, Channel c) {
        return ((value8 & 0xFF) >>> (8 - c.length())) << c.offset();
    }
}
