package org.polydesk.display.rfb;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.framebuffer.Rect;

/**
 * One RFB 3.8 client connection (RFC 6143): handshake with security type None, our fixed pixel
 * format, then {@link #run()} decodes server messages into a {@link FrameBuffer} until the server
 * goes away or breaks the protocol. Input events may be sent from any thread meanwhile.
 *
 * <p>Everything the server sends is untrusted: every length, size and rectangle is checked against
 * the frame buffer and the {@link RfbConfig} limits before anything is allocated or written, and any
 * violation is an {@link RfbProtocolException} naming it. Only IOExceptions leave this class.
 */
public final class RfbConnection implements Closeable {
    private static final int SECURITY_NONE = 1;
    // Server → client message types.
    private static final int FRAMEBUFFER_UPDATE = 0;
    private static final int SET_COLOUR_MAP_ENTRIES = 1;
    private static final int BELL = 2;
    private static final int SERVER_CUT_TEXT = 3;
    // Client → server message types.
    private static final int SET_PIXEL_FORMAT = 0;
    private static final int SET_ENCODINGS = 2;
    private static final int FRAMEBUFFER_UPDATE_REQUEST = 3;
    private static final int KEY_EVENT = 4;
    private static final int POINTER_EVENT = 5;
    private static final int SET_DESKTOP_SIZE = 251;
    private static final int QEMU_CLIENT_MESSAGE = 255;
    private static final int QEMU_EXTENDED_KEY_EVENT = 0;

    private final Transport transport;
    private final RfbConfig config;
    private final FrameBuffer frameBuffer;
    private final RfbListener listener;
    private final RfbInput in;
    private final Set<Integer> asked;
    private final long writeTimeoutNanos;
    private final Object writeLock = new Object();
    private ZrleDecoder zrle;
    /** One row on its way through CopyRect. */
    private int[] copyRow = new int[0];
    private ServerInfo serverInfo;
    private final Map<Integer, Long> rectangles = new ConcurrentHashMap<>();
    private volatile boolean qemuKeyEvents;
    /** The size to ask the server for (0 = none) and whether this connection asked already. */
    private volatile int wantedWidth;
    private volatile int wantedHeight;
    /** Both guarded by this: the reader asks once the server says it can resize, a caller when the wanted size changes. */
    private boolean askedSize;
    /** The server's screen id and flags, echoed in SetDesktopSize; known once it sent ExtendedDesktopSize. */
    private long screenId;
    private long screenFlags;
    private volatile boolean resizable;
    private boolean probing;
    private volatile boolean closed;

    private RfbConnection(Transport transport, RfbConfig config, FrameBuffer frameBuffer, RfbListener listener) {
        this.transport = transport;
        this.config = config;
        this.frameBuffer = frameBuffer;
        this.listener = listener == null ? new RfbListener() { } : listener;
        this.writeTimeoutNanos = config.readTimeout().toNanos();
        this.in = new RfbInput(transport, config.readTimeout().toNanos());
        this.asked = new HashSet<>(config.encodings());
        this.asked.add(Encodings.RAW); // RFC 6143: every client accepts Raw
    }

    /** Connects to {@code endpoint} and completes the handshake; then call {@link #run()}. */
    public static RfbConnection open(RfbEndpoint endpoint, RfbConfig config, FrameBuffer frameBuffer,
                                     RfbListener listener) throws IOException {
        return over(SocketTransport.connect(endpoint, config.connectTimeout()), config, frameBuffer, listener);
    }

    /** Completes the handshake over an open transport (closed again if the handshake fails). */
    public static RfbConnection over(Transport transport, RfbConfig config, FrameBuffer frameBuffer,
                                     RfbListener listener) throws IOException {
        RfbConnection c = new RfbConnection(transport, config, frameBuffer, listener);
        try {
            c.handshake();
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    public ServerInfo serverInfo() {
        return serverInfo;
    }

    public FrameBuffer frameBuffer() {
        return frameBuffer;
    }

    /** How many rectangles of each encoding the server sent so far (diagnostics, tests). */
    public Map<Integer, Long> rectangleCounts() {
        return Map.copyOf(rectangles);
    }

    /** True once the server acknowledged QEMU's extended key events (QEMU does on SetEncodings). */
    public boolean qemuKeyEventsSupported() {
        return qemuKeyEvents;
    }

    // ---------------------------------------------------------------- handshake

    private void handshake() throws IOException {
        byte[] v = new byte[12];
        in.readFully(v, 0, 12);
        String version = new String(v, StandardCharsets.US_ASCII);
        if (!version.matches("RFB \\d{3}\\.\\d{3}\n")) {
            throw new RfbProtocolException("not an RFB server: greeting " + printable(version));
        }
        int major = Integer.parseInt(version.substring(4, 7));
        int minor = Integer.parseInt(version.substring(8, 11));
        if (major < 3 || major == 3 && minor < 8) {
            throw new RfbProtocolException("server speaks RFB " + major + "." + minor
                    + "; this client needs 3.8 or later");
        }
        send(ByteBuffer.wrap("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII)));

        int count = in.u8();
        if (count == 0) {
            throw new RfbProtocolException("server refused the connection: " + string("failure reason"));
        }
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            types.add(in.u8());
        }
        if (!types.contains(SECURITY_NONE)) {
            throw new RfbProtocolException("server offers security types " + types
                    + " but this client supports only None (1): configure the VNC server without a password");
        }
        send(ByteBuffer.wrap(new byte[] {SECURITY_NONE}));
        long result = in.u32();
        if (result != 0) {
            throw new RfbProtocolException("server rejected security type None: " + string("failure reason"));
        }
        send(ByteBuffer.wrap(new byte[] {1})); // ClientInit: shared, other viewers stay connected

        int width = in.u16();
        int height = in.u16();
        PixelFormat pf = PixelFormat.read(in);
        String name = string("desktop name");
        checkSize(width, height, "ServerInit");
        serverInfo = new ServerInfo(major + "." + minor, width, height, pf, name);
        frameBuffer.resize(width, height);

        ByteBuffer b = ByteBuffer.allocate(20);
        b.put((byte) SET_PIXEL_FORMAT).put(new byte[3]);
        PixelFormat.CLIENT.write(b);
        send(b.flip());
        List<Integer> encodings = config.encodings();
        b = ByteBuffer.allocate(4 + 4 * encodings.size());
        b.put((byte) SET_ENCODINGS).put((byte) 0).putShort((short) encodings.size());
        encodings.forEach(b::putInt);
        send(b.flip());
        requestUpdate(false, 0, 0, width, height);
    }

    private String string(String what) throws IOException {
        long length = in.u32();
        if (length > config.maxString()) {
            throw new RfbProtocolException(what + " of " + length + " bytes exceeds the limit of "
                    + config.maxString());
        }
        byte[] b = new byte[(int) length];
        in.readFully(b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void checkSize(int width, int height, String where) throws RfbProtocolException {
        long maxPixels = Math.min(config.maxPixels(), frameBuffer.maxPixels());
        if (width > config.maxWidth() || height > config.maxHeight() || (long) width * height > maxPixels) {
            throw new RfbProtocolException(where + " size " + width + "x" + height + " exceeds the limit of "
                    + config.maxWidth() + "x" + config.maxHeight() + " and " + maxPixels + " pixels");
        }
    }

    // ---------------------------------------------------------------- message loop

    /**
     * Decodes server messages until {@link #close()} or a failure, which it throws: EOFException when
     * the server closed the connection, {@link RfbProtocolException} when it broke the protocol.
     */
    public void run() throws IOException {
        try {
            while (!closed) {
                step();
            }
        } catch (IOException e) {
            if (closed) {
                return; // our own close() ended the read
            }
            throw e;
        } finally {
            close();
            if (zrle != null) {
                zrle.close(); // here, on the decoder thread: ending zlib under a running inflate would throw
            }
        }
    }

    /** Waits for one server message and handles it, or sends an idle probe. */
    void step() throws IOException {
        if (!in.awaitMessage(probing ? config.readTimeout().toNanos() : config.idleProbe().toNanos())) {
            if (probing) {
                throw new RfbProtocolException("server did not answer an update request within "
                        + config.readTimeout().toMillis() + " ms");
            }
            // Idle is normal; a tiny non-incremental request tells a live server from a hung one.
            probing = true;
            requestUpdate(false, 0, 0, Math.min(1, frameBuffer.width()), Math.min(1, frameBuffer.height()));
            return;
        }
        probing = false;
        int type = in.u8();
        switch (type) {
            case FRAMEBUFFER_UPDATE -> framebufferUpdate();
            case SET_COLOUR_MAP_ENTRIES -> colourMap();
            case BELL -> listener.bell();
            case SERVER_CUT_TEXT -> cutText();
            default -> throw new RfbProtocolException("unknown server message type " + type);
        }
    }

    private void framebufferUpdate() throws IOException {
        in.skip(1);
        int rects = in.u16();
        boolean resized = false;
        for (int i = 0; i < rects; i++) {
            int x = in.u16();
            int y = in.u16();
            int w = in.u16();
            int h = in.u16();
            int encoding = in.s32();
            rectangles.merge(encoding, 1L, Long::sum);
            if (!asked.contains(encoding)) {
                throw new RfbProtocolException("rectangle " + (i + 1) + "/" + rects + " has encoding " + encoding
                        + " (" + Encodings.name(encoding) + "), which the client did not ask for");
            }
            switch (encoding) {
                case Encodings.RAW -> {
                    FrameBuffer.Surface s = inBounds(x, y, w, h, "Raw");
                    // The server's bytes are our pixel format: they go into place as they are.
                    if (x == 0 && w == s.stride()) {
                        in.readFully(s.bytes(y * s.stride(), w * h));
                    } else {
                        for (int row = 0; row < h; row++) {
                            in.readFully(s.bytes((y + row) * s.stride() + x, w));
                        }
                    }
                    frameBuffer.damage(new Rect(x, y, w, h));
                }
                case Encodings.COPY_RECT -> copyRect(x, y, w, h);
                case Encodings.ZRLE -> {
                    FrameBuffer.Surface s = inBounds(x, y, w, h, "ZRLE");
                    if (zrle == null) {
                        zrle = new ZrleDecoder();
                    }
                    zrle.decode(in, s, x, y, w, h);
                    frameBuffer.damage(new Rect(x, y, w, h));
                }
                case Encodings.DESKTOP_SIZE -> resized |= resize(w, h, "DesktopSize");
                case Encodings.EXTENDED_DESKTOP_SIZE -> resized |= extendedDesktopSize(x, y, w, h);
                case Encodings.CURSOR -> cursor(x, y, w, h);
                case Encodings.QEMU_EXTENDED_KEY_EVENT -> qemuKeyEvents = true;
                default -> throw new RfbProtocolException("rectangle with encoding " + encoding + " ("
                        + Encodings.name(encoding) + "), which this client cannot decode");
            }
        }
        listener.frameUpdated(frameBuffer);
        // After a resize the whole new area is wanted, not just what changed.
        requestUpdate(!resized, 0, 0, frameBuffer.width(), frameBuffer.height());
    }

    private FrameBuffer.Surface inBounds(int x, int y, int w, int h, String what) throws RfbProtocolException {
        FrameBuffer.Surface s = frameBuffer.surface();
        if (x + w > s.width() || y + h > s.height()) {
            throw new RfbProtocolException(what + " rectangle " + w + "x" + h + "+" + x + "+" + y
                    + " lies outside the " + s.width() + "x" + s.height() + " frame buffer");
        }
        return s;
    }

    private void copyRect(int x, int y, int w, int h) throws IOException {
        int sx = in.u16();
        int sy = in.u16();
        FrameBuffer.Surface s = inBounds(x, y, w, h, "CopyRect");
        inBounds(sx, sy, w, h, "CopyRect source");
        IntBuffer p = s.pixels();
        int stride = s.stride();
        if (copyRow.length < w) {
            copyRow = new int[w];
        }
        // Rows in the order that never reads a row already overwritten; each row goes through
        // copyRow, so overlap within a row does not matter.
        for (int i = 0; i < h; i++) {
            int r = sy >= y ? i : h - 1 - i;
            p.get((sy + r) * stride + sx, copyRow, 0, w);
            p.put((y + r) * stride + x, copyRow, 0, w);
        }
        frameBuffer.damage(new Rect(x, y, w, h));
    }

    private boolean resize(int w, int h, String what) throws RfbProtocolException {
        checkSize(w, h, what);
        if (w == frameBuffer.width() && h == frameBuffer.height()) {
            return false; // QEMU repeats the size on every non-incremental request
        }
        frameBuffer.resize(w, h);
        return true;
    }

    private boolean extendedDesktopSize(int reason, int status, int w, int h) throws IOException {
        int screens = in.u8();
        in.skip(3);
        for (int i = 0; i < screens; i++) {
            long id = in.u32();
            in.skip(8); // x, y, width, height: we show the whole buffer as one screen
            long flags = in.u32();
            if (i == 0) {
                screenId = id;
                screenFlags = flags;
            }
        }
        resizable = true;
        if (reason == ExtendedDesktopSize.OUR_REQUEST && status != 0) {
            // Not now: refused (the compositor goes on scaling), or forwarded to the guest, whose
            // resize, if it comes, arrives later as the server's own ExtendedDesktopSize.
            if (status != ExtendedDesktopSize.FORWARDED) {
                listener.desktopSizeRefused(status, ExtendedDesktopSize.statusText(status));
            }
            return false;
        }
        boolean resized = resize(w, h, "ExtendedDesktopSize");
        askForWantedSize();
        return resized;
    }

    /**
     * The size this client would like the server's screen to be (the sink's): asked for with
     * SetDesktopSize as soon as the server has shown it supports ExtendedDesktopSize and its size
     * differs, and asked for again at once when the wanted size changes (the screen changed, a
     * monitor swapped for another). A server that refuses, or cannot resize, is scaled instead.
     */
    public void wantSize(int width, int height) {
        boolean changed = width != wantedWidth || height != wantedHeight;
        wantedWidth = width;
        wantedHeight = height;
        if (changed) {
            synchronized (this) {
                askedSize = false;
            }
            try {
                askForWantedSize();
            } catch (IOException e) {
                // the connection is going: its reader ends with the reason
            }
        }
    }

    private synchronized void askForWantedSize() throws IOException {
        int w = wantedWidth;
        int h = wantedHeight;
        if (askedSize || !resizable || w <= 0 || h <= 0 || w > config.maxWidth() || h > config.maxHeight()
                || (w == frameBuffer.width() && h == frameBuffer.height())) {
            return;
        }
        askedSize = true;
        ByteBuffer b = ByteBuffer.allocate(24);
        b.put((byte) SET_DESKTOP_SIZE).put((byte) 0).putShort(u16(w)).putShort(u16(h)).put((byte) 1).put((byte) 0)
                .putInt((int) screenId).putShort((short) 0).putShort((short) 0).putShort(u16(w)).putShort(u16(h))
                .putInt((int) screenFlags);
        send(b.flip());
    }

    /** The reason and status codes of the ExtendedDesktopSize pseudo-rectangle. */
    private static final class ExtendedDesktopSize {
        static final int OUR_REQUEST = 1;
        /** Status of servers that pass the request to the guest (QEMU with a display that takes hints). */
        static final int FORWARDED = 4;

        static String statusText(int status) {
            return switch (status) {
                case 1 -> "resize is administratively prohibited";
                case 2 -> "out of resources";
                case 3 -> "invalid screen layout";
                default -> "status " + status;
            };
        }
    }

    private void cursor(int hotX, int hotY, int w, int h) throws IOException {
        if (w > config.maxCursorSize() || h > config.maxCursorSize()) {
            throw new RfbProtocolException("cursor " + w + "x" + h + " exceeds the limit of "
                    + config.maxCursorSize() + "x" + config.maxCursorSize());
        }
        if (w == 0 || h == 0) {
            frameBuffer.setCursor(CursorShape.HIDDEN);
            listener.cursorChanged(CursorShape.HIDDEN);
            return;
        }
        if (hotX >= w || hotY >= h) {
            throw new RfbProtocolException("cursor hotspot " + hotX + "," + hotY + " lies outside the " + w + "x"
                    + h + " cursor");
        }
        int[] argb = new int[w * h];
        in.readPixels(argb, 0, argb.length);
        int rowBytes = (w + 7) / 8;
        byte[] mask = new byte[rowBytes * h];
        in.readFully(mask, 0, mask.length);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if ((mask[y * rowBytes + x / 8] & (0x80 >>> (x & 7))) == 0) {
                    argb[y * w + x] = 0;
                }
            }
        }
        CursorShape shape = new CursorShape(argb, w, h, hotX, hotY);
        frameBuffer.setCursor(shape);
        listener.cursorChanged(shape);
    }

    private void colourMap() throws IOException {
        in.skip(1);
        int first = in.u16();
        int count = in.u16();
        if (first + count > 65536) {
            throw new RfbProtocolException("colour map entries " + first + "+" + count + " run past entry 65535");
        }
        // A true-colour client has no colour map: consistent entries are read and ignored.
        in.skip(6L * count);
    }

    private void cutText() throws IOException {
        in.skip(3);
        long length = in.u32();
        if (length > config.maxCutText()) {
            throw new RfbProtocolException("server cut text of " + length + " bytes exceeds the limit of "
                    + config.maxCutText());
        }
        byte[] b = new byte[(int) length];
        in.readFully(b, 0, b.length);
        listener.cutText(new String(b, StandardCharsets.ISO_8859_1));
    }

    // ---------------------------------------------------------------- client → server

    /** FramebufferUpdateRequest; the region is clipped to 16 bits as the protocol carries it. */
    public void requestUpdate(boolean incremental, int x, int y, int w, int h) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(10);
        b.put((byte) FRAMEBUFFER_UPDATE_REQUEST).put((byte) (incremental ? 1 : 0))
                .putShort(u16(x)).putShort(u16(y)).putShort(u16(w)).putShort(u16(h));
        send(b.flip());
    }

    /** A PointerEvent: button mask (bit 0 left, 1 middle, 2 right, 3/4 wheel) at (x, y). */
    public void sendPointerEvent(int buttonMask, int x, int y) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(6);
        b.put((byte) POINTER_EVENT).put((byte) buttonMask).putShort(u16(x)).putShort(u16(y));
        send(b.flip());
    }

    /** A standard KeyEvent by X keysym. */
    public void sendKeyEvent(boolean down, int keysym) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.put((byte) KEY_EVENT).put((byte) (down ? 1 : 0)).putShort((short) 0).putInt(keysym);
        send(b.flip());
    }

    /**
     * QEMU's extended key event: the keysym plus the key's position as a QEMU "qnum" code (PC/XT
     * scancode set 1, 0xE0 prefixed keys as 0x80 | code), so the guest sees the physical key whatever
     * its layout. Only after the server acknowledged it ({@link #qemuKeyEventsSupported()}).
     */
    public void sendQemuKeyEvent(boolean down, int keysym, int qnum) throws IOException {
        if (!qemuKeyEvents) {
            throw new IllegalStateException("the server has not acknowledged QEMU extended key events");
        }
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put((byte) QEMU_CLIENT_MESSAGE).put((byte) QEMU_EXTENDED_KEY_EVENT).putShort((short) (down ? 1 : 0))
                .putInt(keysym).putInt(qnum);
        send(b.flip());
    }

    private static short u16(int v) {
        return (short) Math.max(0, Math.min(65535, v));
    }

    private void send(ByteBuffer b) throws IOException {
        synchronized (writeLock) {
            transport.write(b, writeTimeoutNanos);
        }
    }

    /** Closes the connection; a {@link #run()} in progress returns. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            transport.close();
        } catch (IOException ignored) {
            // Nothing more to say to a server we are leaving.
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            b.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.append('"').toString();
    }
}
