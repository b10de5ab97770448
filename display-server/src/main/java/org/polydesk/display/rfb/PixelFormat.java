package org.polydesk.display.rfb;

/** An RFB PIXEL_FORMAT (RFC 6143 §7.4). */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour, int redMax,
                          int greenMax, int blueMax, int redShift, int greenShift, int blueShift) {

    /**
     * What this client always asks for: 32 bits, depth 24, little-endian, 0x00RRGGBB. It is what
     * QEMU's own surfaces use (so QEMU converts nothing) and what the frame buffer stores; ZRLE then
     * sends 3-byte CPIXELs.
     */
    public static final PixelFormat CLIENT = new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    static PixelFormat read(RfbInput in) throws java.io.IOException {
        PixelFormat pf = new PixelFormat(in.u8(), in.u8(), in.u8() != 0, in.u8() != 0, in.u16(), in.u16(), in.u16(),
                in.u8(), in.u8(), in.u8());
        in.skip(3);
        return pf;
    }

    void write(java.nio.ByteBuffer b) {
        b.put((byte) bitsPerPixel).put((byte) depth).put((byte) (bigEndian ? 1 : 0)).put((byte) (trueColour ? 1 : 0))
                .putShort((short) redMax).putShort((short) greenMax).putShort((short) blueMax)
                .put((byte) redShift).put((byte) greenShift).put((byte) blueShift).put(new byte[3]);
    }
}
