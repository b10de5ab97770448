package org.polydesk.protocol.viewer;

import static org.polydesk.protocol.viewer.ViewerChannel.CURSOR;
import static org.polydesk.protocol.viewer.ViewerChannel.FRAME;
import static org.polydesk.protocol.viewer.ViewerChannel.HEADER_BYTES;
import static org.polydesk.protocol.viewer.ViewerChannel.HELLO;
import static org.polydesk.protocol.viewer.ViewerChannel.HIDE;
import static org.polydesk.protocol.viewer.ViewerChannel.MAGIC;
import static org.polydesk.protocol.viewer.ViewerChannel.MAX_CURSOR_SIDE;
import static org.polydesk.protocol.viewer.ViewerChannel.MAX_DAMAGE;
import static org.polydesk.protocol.viewer.ViewerChannel.MAX_GRANTS;
import static org.polydesk.protocol.viewer.ViewerChannel.MAX_SCREEN_SIDE;
import static org.polydesk.protocol.viewer.ViewerChannel.MAX_SHM_NAME;
import static org.polydesk.protocol.viewer.ViewerChannel.SHOW;
import static org.polydesk.protocol.viewer.ViewerChannel.VERSION;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes and reads {@link ViewerMessage}s. Payloads, big-endian:
 *
 * <pre>
 * HELLO   u32 width | u32 height | u8 scale in quarters (4, 5, 6 or 8) | u8 region kind, then
 *           kind 1 (shared file): u8 name length | name (ASCII [A-Za-z0-9_-][A-Za-z0-9._-]*) | u64 size
 *           kind 2 (Xen grants):  u16 domid | u32 count | count × u32 grant ref
 *           kind 3 (ivshmem BAR): u64 size
 * SHOW    (empty)
 * HIDE    (empty)
 * FRAME   u64 serial | u8 buffer | u8 count | count × (u16 x | u16 y | u16 width | u16 height)
 * CURSOR  u8 flags (1 visible, 2 shape follows) | s16 x | s16 y | u8 hotX | u8 hotY | u8 width | u8 height
 *           | if shape follows: width × height × u32 ARGB
 * </pre>
 *
 * Reading checks the header and the payload's length against the type's limits before it
 * allocates, and every field after; a payload must be exactly as long as its fields.
 */
public final class ViewerCodec {
    public static final int KIND_SHARED_FILE = 1;
    public static final int KIND_XEN_GRANTS = 2;
    /** Added in version 1 without a new version: a dom0 that predates it refuses it as an unknown kind. */
    public static final int KIND_IVSHMEM = 3;
    private static final Pattern SHM_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final int FLAG_VISIBLE = 1;
    private static final int FLAG_SHAPE = 2;

    private ViewerCodec() {
    }

    public static byte[] encode(ViewerMessage message) {
        ByteBuffer payload;
        if (message instanceof ViewerMessage.Hello h) {
            payload = hello(h);
        } else if (message instanceof ViewerMessage.Frame f) {
            payload = frame(f);
        } else if (message instanceof ViewerMessage.Cursor c) {
            payload = cursor(c);
        } else {
            payload = ByteBuffer.allocate(0);
        }
        payload.flip();
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + payload.remaining());
        out.putInt(MAGIC).putShort((short) VERSION).putShort((short) typeOf(message)).putInt(payload.remaining());
        out.put(payload);
        return out.array();
    }

    public static void write(ViewerMessage message, OutputStream out) throws IOException {
        out.write(encode(message));
        out.flush();
    }

    /**
     * The next message. EOFException when the stream ends (between messages or inside one);
     * ViewerProtocolException for anything outside the contract.
     */
    public static ViewerMessage read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[HEADER_BYTES];
        data.readFully(header);
        ByteBuffer h = ByteBuffer.wrap(header);
        int magic = h.getInt();
        if (magic != MAGIC) {
            throw new ViewerProtocolException(String.format("bad magic 0x%08x", magic));
        }
        int version = Short.toUnsignedInt(h.getShort());
        if (version != VERSION) {
            throw new ViewerProtocolException("version " + version + ", this end speaks " + VERSION);
        }
        int type = Short.toUnsignedInt(h.getShort());
        long length = Integer.toUnsignedLong(h.getInt());
        long max = maxPayload(type);
        if (length > max) {
            throw new ViewerProtocolException(ViewerChannel.typeName(type) + " of " + length + " bytes, more than "
                    + max);
        }
        byte[] payload = new byte[(int) length];
        data.readFully(payload);
        ByteBuffer p = ByteBuffer.wrap(payload);
        ViewerMessage m;
        try {
            m = switch (type) {
                case HELLO -> readHello(p);
                case SHOW -> new ViewerMessage.Show();
                case HIDE -> new ViewerMessage.Hide();
                case FRAME -> readFrame(p);
                case CURSOR -> readCursor(p);
                default -> throw new IllegalStateException("unreachable: maxPayload refuses type " + type);
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw new ViewerProtocolException(ViewerChannel.typeName(type) + " payload too short (" + length + " bytes)");
        }
        if (p.hasRemaining()) {
            throw new ViewerProtocolException(ViewerChannel.typeName(type) + " has " + p.remaining()
                    + " bytes after its fields");
        }
        return m;
    }

    /** The longest payload a message of {@code type} may have; an unknown type is refused. */
    static long maxPayload(int type) throws ViewerProtocolException {
        return switch (type) {
            case HELLO -> 4 + 4 + 1 + 1 + Math.max(1 + MAX_SHM_NAME + 8, 2 + 4 + 4L * MAX_GRANTS);
            case SHOW, HIDE -> 0;
            case FRAME -> 8 + 1 + 1 + 8L * MAX_DAMAGE;
            case CURSOR -> 1 + 4 + 4 + 4L * MAX_CURSOR_SIDE * MAX_CURSOR_SIDE;
            default -> throw new ViewerProtocolException("unknown message " + ViewerChannel.typeName(type));
        };
    }

    private static int typeOf(ViewerMessage m) {
        if (m instanceof ViewerMessage.Hello) {
            return HELLO;
        } else if (m instanceof ViewerMessage.Show) {
            return SHOW;
        } else if (m instanceof ViewerMessage.Hide) {
            return HIDE;
        } else if (m instanceof ViewerMessage.Frame) {
            return FRAME;
        }
        return CURSOR;
    }

    private static ByteBuffer hello(ViewerMessage.Hello h) {
        checkScreen(h.width(), h.height());
        int quarters = (int) Math.round(h.scale() * 4);
        if (quarters != h.scale() * 4 || !ViewerChannel.SCALE_QUARTERS.contains(quarters)) {
            throw new IllegalArgumentException("a viewer's scale is 1, 1.25, 1.5 or 2, not " + h.scale());
        }
        if (h.region() instanceof ViewerMessage.SharedFile f) {
            checkShmName(f.name());
            byte[] name = f.name().getBytes(StandardCharsets.US_ASCII);
            return ByteBuffer.allocate(10 + 1 + name.length + 8).putInt(h.width()).putInt(h.height()).put((byte) quarters)
                    .put((byte) KIND_SHARED_FILE).put((byte) name.length).put(name).putLong(f.size());
        }
        if (h.region() instanceof ViewerMessage.Ivshmem i) {
            return ByteBuffer.allocate(10 + 8).putInt(h.width()).putInt(h.height()).put((byte) quarters)
                    .put((byte) KIND_IVSHMEM).putLong(i.size());
        }
        ViewerMessage.XenGrants g = (ViewerMessage.XenGrants) h.region();
        if (g.refs().length == 0 || g.refs().length > MAX_GRANTS) {
            throw new IllegalArgumentException(g.refs().length + " grant refs, not 1–" + MAX_GRANTS);
        }
        ByteBuffer b = ByteBuffer.allocate(10 + 2 + 4 + 4 * g.refs().length).putInt(h.width())
                .putInt(h.height()).put((byte) quarters).put((byte) KIND_XEN_GRANTS).putShort((short) g.domid())
                .putInt(g.refs().length);
        for (int ref : g.refs()) {
            b.putInt(ref);
        }
        return b;
    }

    private static ViewerMessage.Hello readHello(ByteBuffer p) throws ViewerProtocolException {
        int width = p.getInt();
        int height = p.getInt();
        if (width <= 0 || height <= 0 || width > MAX_SCREEN_SIDE || height > MAX_SCREEN_SIDE) {
            throw new ViewerProtocolException("HELLO screen " + Integer.toUnsignedString(width) + "x"
                    + Integer.toUnsignedString(height) + " is not 1–" + MAX_SCREEN_SIDE + " a side");
        }
        int quarters = Byte.toUnsignedInt(p.get());
        if (!ViewerChannel.SCALE_QUARTERS.contains(quarters)) {
            throw new ViewerProtocolException("HELLO scale of " + quarters + " quarters, not 4, 5, 6 or 8 (1x to 2x)");
        }
        int kind = Byte.toUnsignedInt(p.get());
        ViewerMessage.Region region;
        if (kind == KIND_SHARED_FILE) {
            int n = Byte.toUnsignedInt(p.get());
            if (n == 0 || n > MAX_SHM_NAME || n > p.remaining()) {
                throw new ViewerProtocolException("HELLO shared file name of " + n + " bytes");
            }
            byte[] raw = new byte[n];
            p.get(raw);
            String name = new String(raw, StandardCharsets.US_ASCII);
            if (!SHM_NAME.matcher(name).matches()) {
                throw new ViewerProtocolException("HELLO shared file name is not [A-Za-z0-9_-][A-Za-z0-9._-]*");
            }
            long size = p.getLong();
            if (size <= 0) {
                throw new ViewerProtocolException("HELLO shared file size " + Long.toUnsignedString(size));
            }
            region = new ViewerMessage.SharedFile(name, size);
        } else if (kind == KIND_XEN_GRANTS) {
            int domid = Short.toUnsignedInt(p.getShort());
            long count = Integer.toUnsignedLong(p.getInt());
            if (count == 0 || count > MAX_GRANTS || count * 4 != p.remaining()) {
                throw new ViewerProtocolException("HELLO with " + count + " grant refs and " + p.remaining()
                        + " bytes for them (1–" + MAX_GRANTS + " refs of 4 bytes)");
            }
            int[] refs = new int[(int) count];
            for (int i = 0; i < refs.length; i++) {
                refs[i] = p.getInt();
            }
            region = new ViewerMessage.XenGrants(domid, refs);
        } else if (kind == KIND_IVSHMEM) {
            long size = p.getLong();
            if (size <= 0) {
                throw new ViewerProtocolException("HELLO ivshmem region size " + Long.toUnsignedString(size));
            }
            region = new ViewerMessage.Ivshmem(size);
        } else {
            throw new ViewerProtocolException("HELLO region kind " + kind + " is unknown");
        }
        return new ViewerMessage.Hello(width, height, quarters / 4.0, region);
    }

    private static ByteBuffer frame(ViewerMessage.Frame f) {
        if (f.damage().size() > MAX_DAMAGE || f.buffer() < 0 || f.buffer() >= FrameRegion.MAX_BUFFERS) {
            throw new IllegalArgumentException("FRAME with " + f.damage().size() + " rectangles in buffer " + f.buffer());
        }
        ByteBuffer b = ByteBuffer.allocate(10 + 8 * f.damage().size()).putLong(f.serial()).put((byte) f.buffer())
                .put((byte) f.damage().size());
        for (DamageRect r : f.damage()) {
            checkScreen(r.x() + r.width(), r.y() + r.height());
            b.putShort((short) r.x()).putShort((short) r.y()).putShort((short) r.width()).putShort((short) r.height());
        }
        return b;
    }

    private static ViewerMessage.Frame readFrame(ByteBuffer p) throws ViewerProtocolException {
        long serial = p.getLong();
        int buffer = Byte.toUnsignedInt(p.get());
        int count = Byte.toUnsignedInt(p.get());
        if (buffer >= FrameRegion.MAX_BUFFERS || count > MAX_DAMAGE) {
            throw new ViewerProtocolException("FRAME in buffer " + buffer + " with " + count + " rectangles");
        }
        List<DamageRect> damage = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            DamageRect r = new DamageRect(Short.toUnsignedInt(p.getShort()), Short.toUnsignedInt(p.getShort()),
                    Short.toUnsignedInt(p.getShort()), Short.toUnsignedInt(p.getShort()));
            if (!r.within(MAX_SCREEN_SIDE, MAX_SCREEN_SIDE)) {
                throw new ViewerProtocolException("FRAME damage " + r + " is empty or too large");
            }
            damage.add(r);
        }
        return new ViewerMessage.Frame(serial, buffer, damage);
    }

    private static ByteBuffer cursor(ViewerMessage.Cursor c) {
        int w = c.argb() == null ? 0 : c.width();
        int h = c.argb() == null ? 0 : c.height();
        if (c.argb() != null && (w > MAX_CURSOR_SIDE || h > MAX_CURSOR_SIDE || c.argb().length != w * h)) {
            throw new IllegalArgumentException("cursor " + w + "x" + h + " with " + c.argb().length + " pixels");
        }
        ByteBuffer b = ByteBuffer.allocate(9 + 4 * w * h)
                .put((byte) ((c.visible() ? FLAG_VISIBLE : 0) | (c.argb() != null ? FLAG_SHAPE : 0)))
                .putShort(clamp16(c.x())).putShort(clamp16(c.y()))
                .put((byte) c.hotX()).put((byte) c.hotY()).put((byte) w).put((byte) h);
        if (c.argb() != null) {
            for (int px : c.argb()) {
                b.putInt(px);
            }
        }
        return b;
    }

    private static ViewerMessage.Cursor readCursor(ByteBuffer p) throws ViewerProtocolException {
        int flags = Byte.toUnsignedInt(p.get());
        if ((flags & ~(FLAG_VISIBLE | FLAG_SHAPE)) != 0) {
            throw new ViewerProtocolException("CURSOR flags 0x" + Integer.toHexString(flags));
        }
        int x = p.getShort();
        int y = p.getShort();
        int hotX = Byte.toUnsignedInt(p.get());
        int hotY = Byte.toUnsignedInt(p.get());
        int w = Byte.toUnsignedInt(p.get());
        int h = Byte.toUnsignedInt(p.get());
        int[] argb = null;
        if ((flags & FLAG_SHAPE) != 0) {
            if (w > MAX_CURSOR_SIDE || h > MAX_CURSOR_SIDE || (w == 0) != (h == 0)
                    || (w > 0 && (hotX >= w || hotY >= h))) {
                throw new ViewerProtocolException("CURSOR shape " + w + "x" + h + " with hot spot " + hotX + "," + hotY);
            }
            if (p.remaining() != 4 * w * h) {
                throw new ViewerProtocolException("CURSOR shape " + w + "x" + h + " with " + p.remaining() + " bytes");
            }
            argb = new int[w * h];
            p.asIntBuffer().get(argb);
            p.position(p.limit());
        } else if (w != 0 || h != 0) {
            throw new ViewerProtocolException("CURSOR without a shape has a size");
        }
        return new ViewerMessage.Cursor((flags & FLAG_VISIBLE) != 0, x, y, hotX, hotY, w, h, argb);
    }

    private static short clamp16(int v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }

    private static void checkScreen(int width, int height) {
        if (width <= 0 || height <= 0 || width > MAX_SCREEN_SIDE || height > MAX_SCREEN_SIDE) {
            throw new IllegalArgumentException(width + "x" + height + " is not 1–" + MAX_SCREEN_SIDE + " a side");
        }
    }

    private static void checkShmName(String name) {
        if (name.length() > MAX_SHM_NAME || !SHM_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("shared file name '" + name + "'");
        }
    }
}
