package org.polydesk.display.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds what an RFB 3.8 server sends, byte by byte, for test doubles and fuzz seeds. */
public final class ServerStream {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Version, security None accepted, ServerInit for a {@code w}×{@code h} 32-bit desktop. */
    public static ServerStream handshake(int w, int h) {
        ServerStream s = new ServerStream();
        s.ascii("RFB 003.008\n").u8(1).u8(1).u32(0);
        return s.serverInit(w, h, "test");
    }

    public ServerStream serverInit(int w, int h, String name) {
        u16(w).u16(h);
        u8(32).u8(24).u8(0).u8(1).u16(255).u16(255).u16(255).u8(16).u8(8).u8(0).u8(0).u8(0).u8(0);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return u32(n.length).bytes(n);
    }

    public ServerStream update(int rects) {
        return u8(0).u8(0).u16(rects);
    }

    public ServerStream rect(int x, int y, int w, int h, int encoding) {
        return u16(x).u16(y).u16(w).u16(h).u32(encoding);
    }

    /** Pixels as the client's format puts them on the wire: 32-bit little-endian 0x00RRGGBB. */
    public ServerStream pixels(int[] rgb) {
        for (int p : rgb) {
            u8(p).u8(p >>> 8).u8(p >>> 16).u8(0);
        }
        return this;
    }

    public ServerStream u8(int v) {
        out.write(v);
        return this;
    }

    public ServerStream u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    public ServerStream u32(long v) {
        return u16((int) (v >>> 16)).u16((int) v);
    }

    public ServerStream bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public ServerStream ascii(String s) {
        return bytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    public int length() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
