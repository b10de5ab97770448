package org.polydesk.input.sink;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.polydesk.input.evdev.EventCodes;
import org.polydesk.input.evdev.KeyTable;

/**
 * Input into an RFB (VNC) server on a UNIX socket: the control UI's Xvnc (or a VM given by {@code --vm}). Keys become QEMU extended
 * key events, which carry the key's scan code beside an X keysym: a server that takes the scan code
 * (Xvnc with RawKeyboard, QEMU) applies its own keyboard layout, the one the installer set; one that
 * does not gets the US keysym (Shift picks the shifted symbol). A key without a scan code goes as a
 * plain KeyEvent. The pointer becomes PointerEvent messages at the pointer's place scaled to the server's
 * frame-buffer size, with the button mask (1 left, 2 middle, 4 right; wheel clicks as 8/16 up/down
 * and 32/64 left/right, pressed and released). Security type None only: the socket is local and
 * its permissions are the access control.
 */
public final class RfbSink extends ConnectedSink<RfbSink.Message> {
    private static final int MAX_WHEEL_CLICKS = 16;

    /** A message of the writer queue; the pointer is scaled once the frame-buffer size is known. */
    record Message(boolean key, int keysymOrMask, int qnum, boolean down, double x, double y) {
    }

    /** RFB's pseudo-encoding by which a client says it sends QEMU extended key events. */
    static final int QEMU_EXTENDED_KEY_EVENT = -258;

    private final SocketAddress server;
    private int width;
    private int height;
    private int buttons;
    private int shiftsHeld;
    private double x = 0.5;
    private double y = 0.5;
    private final ByteBuffer out = ByteBuffer.allocate(12);

    public RfbSink(Path socket) {
        this(UnixDomainSocketAddress.of(socket));
    }

    /** Into the RFB server at {@code server}: a UNIX socket, or TCP for a development VM's (polydesk-input --vm). */
    public RfbSink(SocketAddress server) {
        super("rfb-input");
        this.server = server;
        start();
    }

    @Override
    public String describe() {
        return "RFB " + (server instanceof UnixDomainSocketAddress unix ? unix.getPath() : server);
    }

    @Override
    public void key(int code, boolean down) {
        KeyTable.Key k = KeyTable.byCode(code);
        if (k == null) {
            return;
        }
        if (code == EventCodes.KEY_LEFTSHIFT || code == EventCodes.KEY_RIGHTSHIFT) {
            shiftsHeld = Math.max(0, shiftsHeld + (down ? 1 : -1));
        }
        enqueue(new Message(true, shiftsHeld > 0 ? k.shiftedKeysym() : k.keysym(), k.qnum(), down, 0, 0));
    }

    @Override
    public void button(int code, boolean down) {
        int bit = switch (code) {
            case EventCodes.BTN_LEFT -> 1;
            case EventCodes.BTN_MIDDLE -> 2;
            case EventCodes.BTN_RIGHT -> 4;
            default -> 0;
        };
        if (bit == 0) {
            return;
        }
        buttons = down ? buttons | bit : buttons & ~bit;
        pointer(buttons);
    }

    /** RFB's PointerEvent places the pointer in the server's frame buffer. */
    @Override
    public boolean absolute() {
        return true;
    }

    @Override
    public void motion(int dx, int dy, double x, double y) {
        this.x = x;
        this.y = y;
        pointer(buttons);
    }

    @Override
    public void wheel(int vertical, int horizontal) {
        clicks(vertical, 8, 16);
        clicks(horizontal, 64, 32);
    }

    private void clicks(int n, int positive, int negative) {
        int bit = n > 0 ? positive : negative;
        for (int i = 0; i < Math.min(Math.abs(n), MAX_WHEEL_CLICKS); i++) {
            pointer(buttons | bit);
            pointer(buttons);
        }
    }

    private void pointer(int mask) {
        enqueue(new Message(false, mask, 0, false, x, y));
    }

    @Override
    public void flush() {
        // Each RFB message is queued whole as it is made.
    }

    @Override
    void connect() throws IOException {
        SocketChannel ch = open(server);
        DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
        byte[] version = new byte[12];
        in.readFully(version);
        String v = new String(version, StandardCharsets.US_ASCII);
        if (!v.startsWith("RFB 003.")) {
            throw new IOException("not an RFB server: " + v.strip());
        }
        int minor = Integer.parseInt(v.substring(8, 11));
        boolean v38 = minor >= 8;
        writeAll((v38 ? "RFB 003.008\n" : "RFB 003.003\n").getBytes(StandardCharsets.US_ASCII));
        if (v38 || minor == 7) {
            int n = in.readUnsignedByte();
            if (n == 0) {
                throw new IOException("the RFB server refused: " + reason(in));
            }
            boolean none = false;
            for (int i = 0; i < n; i++) {
                none |= in.readUnsignedByte() == 1;
            }
            if (!none) {
                throw new IOException("the RFB server wants authentication; only security type None is spoken");
            }
            writeAll(new byte[] {1});
        } else {
            int type = in.readInt();
            if (type != 1) {
                throw new IOException("the RFB server wants security type " + type + "; only None is spoken");
            }
        }
        if (v38 && in.readInt() != 0) {
            throw new IOException("the RFB server refused the connection: " + reason(in));
        }
        writeAll(new byte[] {1}); // ClientInit: shared, other viewers stay
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        in.readFully(new byte[16]); // pixel format: this client asks for no pixels
        int nameLength = in.readInt();
        if (nameLength < 0 || nameLength > 4096) {
            throw new IOException("the RFB server sent a desktop name of " + nameLength + " bytes");
        }
        in.readFully(new byte[nameLength]);
        // SetEncodings: only the extended key events (no pixels are ever asked for).
        writeAll(ByteBuffer.allocate(8).put((byte) 2).put((byte) 0).putShort((short) 1)
                .putInt(QEMU_EXTENDED_KEY_EVENT).flip());
        Thread drain = new Thread(() -> drain(ch, in), "rfb-drain");
        drain.setDaemon(true);
        drain.start();
    }

    private static String reason(DataInputStream in) throws IOException {
        int len = in.readInt();
        byte[] b = new byte[Math.max(0, Math.min(len, 1024))];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** No updates are requested, but a server may still send bells or cut text: read and ignore. */
    private static void drain(SocketChannel ch, InputStream in) {
        byte[] sink = new byte[4096];
        try {
            while (in.read(sink) >= 0) {
                // ignored
            }
        } catch (IOException ignored) {
            // closed
        }
        try {
            ch.shutdownOutput();
        } catch (IOException ignored) {
            // closed
        }
    }

    /** The frame-buffer size the server announced (0 before connecting). */
    public int width() {
        return width;
    }

    @Override
    void write(Message m) throws IOException {
        out.clear();
        if (m.key() && m.qnum() != 0) {
            out.put((byte) 255).put((byte) 0).putShort((short) (m.down() ? 1 : 0)).putInt(m.keysymOrMask())
                    .putInt(m.qnum());
        } else if (m.key()) {
            out.put((byte) 4).put((byte) (m.down() ? 1 : 0)).putShort((short) 0).putInt(m.keysymOrMask());
        } else {
            int px = (int) Math.round(m.x() * Math.max(0, width - 1));
            int py = (int) Math.round(m.y() * Math.max(0, height - 1));
            out.put((byte) 5).put((byte) m.keysymOrMask()).putShort((short) px).putShort((short) py);
        }
        out.flip();
        writeAll(out);
    }
}
