package org.polydesk.protocol.rpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The framing of every Polydesk JSON-RPC socket: one UTF-8 JSON object per line, terminated by '\n',
 * at most {@link #MAX_LINE_BYTES} bytes. A reader that meets a longer line reports it instead of
 * buffering without bound.
 */
public final class LineFraming {
    public static final int MAX_LINE_BYTES = 1 << 20;

    private LineFraming() {
    }

    /** Thrown when a peer sends a line longer than the limit. */
    public static final class LineTooLongException extends IOException {
        public LineTooLongException(int limit) {
            super("request line longer than " + limit + " bytes");
        }
    }

    /** Reads lines of bounded length from a stream. Not thread-safe. */
    public static final class Reader {
        private final InputStream in;
        private final int limit;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int end;

        public Reader(InputStream in) {
            this(in, MAX_LINE_BYTES);
        }

        public Reader(InputStream in, int limit) {
            this.in = in;
            this.limit = limit;
        }

        /** The next line without its terminator, or null at end of stream. */
        public String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                if (pos == end) {
                    end = in.read(buf);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                    }
                }
                int start = pos;
                while (pos < end && buf[pos] != '\n') {
                    pos++;
                }
                line.write(buf, start, pos - start);
                if (line.size() > limit) {
                    throw new LineTooLongException(limit);
                }
                if (pos < end) {
                    pos++; // the '\n'
                    return line.toString(StandardCharsets.UTF_8);
                }
            }
        }
    }
}
