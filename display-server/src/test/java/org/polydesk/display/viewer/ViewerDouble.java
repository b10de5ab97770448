package org.polydesk.display.viewer;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.viewer.ViewerCodec;
import org.polydesk.protocol.viewer.ViewerMessage;

/**
 * A test double of the switcher viewer's end of one channel connection: it sends what the test
 * says and queues what dom0 sent, in order. The real viewer is tested in switcher-viewer.
 */
final class ViewerDouble {
    final SocketChannel ch;
    final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

    ViewerDouble(SocketChannel ch) {
        this.ch = ch;
        Thread t = new Thread(() -> {
            InputStream in = Channels.newInputStream(ch);
            try {
                while (true) {
                    received.add(ViewerCodec.read(in));
                }
            } catch (IOException e) {
                received.add(e);
            }
        }, "test-guest-read");
        t.setDaemon(true);
        t.start();
    }

    void send(ViewerMessage m) throws IOException {
        ch.write(ByteBuffer.wrap(ViewerCodec.encode(m)));
    }

    void sendRaw(byte[] bytes) throws IOException {
        ch.write(ByteBuffer.wrap(bytes));
    }

    <T> T next(Class<T> type) throws InterruptedException {
        Object o = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(o, "nothing from dom0 within 10 s, expected " + type.getSimpleName());
        assertInstanceOf(type, o, "from dom0");
        return type.cast(o);
    }

    /** The next SHOW or HIDE, past any frame and pointer notices sent before it. */
    <T> T nextPastFrames(Class<T> type) throws InterruptedException {
        while (true) {
            Object o = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(o, "nothing from dom0 within 10 s, expected " + type.getSimpleName());
            if (!(o instanceof ViewerMessage.Frame) && !(o instanceof ViewerMessage.Cursor)) {
                assertInstanceOf(type, o, "from dom0");
                return type.cast(o);
            }
        }
    }

    /** Skips heartbeats and pointer notices up to the next frame notice. */
    ViewerMessage.Frame nextFrame() throws InterruptedException {
        while (true) {
            Object o = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(o, "no FRAME within 10 s");
            if (o instanceof ViewerMessage.Frame f) {
                return f;
            }
            assertTrue(o instanceof ViewerMessage.Show || o instanceof ViewerMessage.Hide
                    || o instanceof ViewerMessage.Cursor, "unexpected " + o);
        }
    }

    /** dom0 closed this connection. */
    void closedByDom0() throws InterruptedException {
        while (true) {
            Object o = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(o, "dom0 did not close the channel within 10 s");
            if (o instanceof IOException e) {
                // EOF, or a reset when dom0 closed with our bytes unread
                assertTrue(e instanceof EOFException || e instanceof java.net.SocketException, "closed: " + e);
                return;
            }
        }
    }
}
