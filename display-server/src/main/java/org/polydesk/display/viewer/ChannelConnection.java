package org.polydesk.display.viewer;

import java.io.Closeable;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.polydesk.protocol.rpc.UnixSockets;

/**
 * One open viewer channel: the passthrough VM's serial port as QEMU serves it on a UNIX socket
 * ({@code viewer.sock}), or a terminal device (a pty in tests, a real serial line). Reads and
 * writes go on separate threads, so neither waits for the other.
 */
final class ChannelConnection implements Closeable {
    final InputStream in;
    final OutputStream out;
    private final Closeable resource;

    private ChannelConnection(InputStream in, OutputStream out, Closeable resource) {
        this.in = in;
        this.out = out;
        this.resource = resource;
    }

    static ChannelConnection open(Path channel) throws IOException {
        if (Files.isRegularFile(channel, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(channel + " is a regular file, not a socket or a terminal");
        }
        if (isSocket(channel)) {
            SocketChannel ch = UnixSockets.connect(channel);
            return new ChannelConnection(new SocketIn(ch), new SocketOut(ch), ch);
        }
        TtyIn in = new TtyIn(new FileInputStream(channel.toFile()));
        FileOutputStream out;
        try {
            in.skip(in.available()); // what an earlier reader left unread is stale
            out = new FileOutputStream(channel.toFile());
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new ChannelConnection(in, out, () -> {
            try (in; out) {
                // both closed
            }
        });
    }

    private static boolean isSocket(Path p) throws IOException {
        Object mode = Files.getAttribute(p, "unix:mode");
        return mode instanceof Integer m && (m & 0170000) == 0140000;
    }

    @Override
    public void close() throws IOException {
        resource.close();
    }

    /** A stream whose reads all go through {@code read(byte[], int, int)}. */
    private abstract static class ChunkIn extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }
    }

    /** Channels.newInputStream would hold the channel's blocking lock and stall the writer. */
    private static final class SocketIn extends ChunkIn {
        private final SocketChannel ch;

        SocketIn(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : ch.read(ByteBuffer.wrap(b, off, len));
        }
    }

    /**
     * A blocking read on a terminal does not end when another thread closes it, and a reader left
     * behind would take bytes from the next one: so wait for bytes by polling, which a close ends.
     */
    private static final class TtyIn extends ChunkIn {
        private static final long POLL_MILLIS = 20;
        private final FileInputStream in;
        private volatile boolean closed;

        TtyIn(FileInputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int ready;
            while ((ready = in.available()) == 0) {
                if (closed) {
                    throw new IOException("closed");
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the viewer");
                }
            }
            return in.read(b, off, Math.min(len, ready));
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            closed = true;
            in.close();
        }
    }

    private static final class SocketOut extends OutputStream {
        private final SocketChannel ch;

        SocketOut(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }
}
