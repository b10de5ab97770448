package org.polydesk.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineFramingTest {

    private static LineFraming.Reader reader(String s, int limit) {
        return new LineFraming.Reader(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), limit);
    }

    @Test
    void linesAreSplitOnNewlinesAndUtf8Survives() throws IOException {
        LineFraming.Reader r = reader("{\"a\":1}\n{\"name\":\"Écran ünd 画面\"}\nlast", 100);
        assertEquals("{\"a\":1}", r.readLine());
        assertEquals("{\"name\":\"Écran ünd 画面\"}", r.readLine());
        assertEquals("last", r.readLine());
        assertNull(r.readLine());
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedWithoutReadingItAll() {
        // An endless stream: the reader must give up at the limit, not wait for a newline that never comes.
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        LineFraming.Reader r = new LineFraming.Reader(endless, 1000);
        assertThrows(LineFraming.LineTooLongException.class, r::readLine);
    }

    @Test
    void aLineOfExactlyTheLimitIsAccepted() throws IOException {
        String line = "y".repeat(1000);
        assertEquals(line, reader(line + "\n", 1000).readLine());
    }

    @Test
    void aLineSplitAcrossReadsIsJoined() throws IOException {
        // A stream that hands out one byte per read, as a slow socket might.
        byte[] data = "{\"jsonrpc\":\"2.0\"}\n".getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            int i;

            @Override
            public int read() {
                return i < data.length ? data[i++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (i >= data.length) {
                    return -1;
                }
                b[off] = data[i++];
                return 1;
            }
        };
        assertEquals("{\"jsonrpc\":\"2.0\"}", new LineFraming.Reader(trickle, 100).readLine());
    }
}
