package org.polydesk.input.evdev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads 24-byte {@code input_event} records from any stream: an evdev device opened by
 * {@link EvdevDevice}, a pipe, a file of recorded events, a socket. Records may arrive split across
 * reads; each whole record is handed on as soon as it is complete.
 */
public final class EventReader {
    /** Receives each event. */
    public interface Sink {
        void event(InputEvent event) throws IOException;
    }

    private final InputStream in;
    private final ByteBuffer buf = ByteBuffer.allocate(InputEvent.SIZE * 64).order(ByteOrder.LITTLE_ENDIAN);

    public EventReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads until the stream ends, handing on every whole event. Returns the number of bytes of an
     * incomplete record left at the end (0 for a clean end).
     */
    public int pump(Sink sink) throws IOException {
        byte[] array = buf.array();
        while (true) {
            int n = in.read(array, buf.position(), buf.remaining());
            if (n < 0) {
                return buf.position();
            }
            buf.position(buf.position() + n);
            buf.flip();
            while (buf.remaining() >= InputEvent.SIZE) {
                sink.event(InputEvent.read(buf));
            }
            buf.compact();
        }
    }
}
