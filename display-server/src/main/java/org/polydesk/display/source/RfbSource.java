package org.polydesk.display.source;

import org.polydesk.protocol.rpc.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.framebuffer.CursorShape;
import org.polydesk.display.framebuffer.FrameBuffer;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbConnection;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.rfb.RfbListener;
import org.polydesk.display.rfb.RfbProtocolException;
import org.polydesk.display.rfb.ServerInfo;

/**
 * Keeps one RFB connection alive for as long as it is open: connects, decodes into its own
 * {@link FrameBuffer} (the same object across reconnects, so consumers keep their reference), and
 * after a failure reconnects with exponential backoff, because a VM's QEMU comes back on the same
 * socket path when the VM restarts. A broken or hostile server ends only this source's connection.
 */
public final class RfbSource implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RfbSource.class.getName());

    private final String name;
    private final RfbEndpoint endpoint;
    private final RfbConfig config;
    private final Backoff backoff;
    private final SourceListener listener;
    private final FrameBuffer frameBuffer;
    private final Thread thread;
    private final CountDownLatch wake = new CountDownLatch(1);
    private volatile RfbConnection connection;
    private volatile int wantedWidth;
    private volatile int wantedHeight;
    private volatile boolean closed;
    private String lastFailure;

    public RfbSource(String name, RfbEndpoint endpoint, RfbConfig config, Backoff backoff, SourceListener listener) {
        this.name = name;
        this.endpoint = endpoint;
        this.config = config;
        this.backoff = backoff;
        this.listener = listener == null ? new SourceListener() { } : listener;
        this.frameBuffer = new FrameBuffer(config.maxPixels());
        this.thread = new Thread(this::loop, "rfb-source-" + name);
        thread.setDaemon(true);
    }

    public RfbSource start() {
        thread.start();
        return this;
    }

    /** Asks every connection's server for this size (the sink's) where it can resize; see {@link RfbConnection#wantSize}. */
    public RfbSource wantSize(int width, int height) {
        wantedWidth = width;
        wantedHeight = height;
        RfbConnection c = connection;
        if (c != null) {
            c.wantSize(width, height);
        }
        return this;
    }

    public String name() {
        return name;
    }

    public RfbEndpoint endpoint() {
        return endpoint;
    }

    public FrameBuffer frameBuffer() {
        return frameBuffer;
    }

    public boolean isConnected() {
        return connection != null;
    }

    /** The live connection, for sending input; empty while disconnected. */
    public Optional<RfbConnection> connection() {
        return Optional.ofNullable(connection);
    }

    private void loop() {
        int failures = 0;
        while (!closed) {
            RfbConnection c = null;
            try {
                c = RfbConnection.open(endpoint, config, frameBuffer, new Forwarder());
                c.wantSize(wantedWidth, wantedHeight);
                connection = c;
                if (closed) {
                    break;
                }
                failures = 0;
                lastFailure = null;
                LOG.info(() -> "display source " + name + " connected to " + endpoint);
                ServerInfo info = c.serverInfo();
                tell(() -> listener.connected(this, info));
                c.run();
                if (!closed) {
                    disconnected(new IOException("connection ended"));
                }
            } catch (IOException e) {
                if (c != null && !closed) {
                    disconnected(e);
                } else if (!closed) {
                    // Retries repeat the same failure (socket not there yet, password wanted): say it once.
                    Level level = e.getMessage() != null && e.getMessage().equals(lastFailure) ? Level.FINE
                            : Level.WARNING;
                    lastFailure = e.getMessage();
                    LOG.log(level, () -> "display source " + name + " cannot connect: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                // A bug of ours, not the server's: still only this connection goes.
                LOG.log(Level.SEVERE, "display source " + name + ": internal error, dropping the connection", e);
                if (c != null && !closed) {
                    disconnected(new IOException("internal error: " + e, e));
                }
            } finally {
                connection = null;
                if (c != null) {
                    c.close();
                }
            }
            if (closed) {
                break;
            }
            failures++;
            pause(backoff.delay(failures));
        }
    }

    private void disconnected(IOException reason) {
        String kind = reason instanceof RfbProtocolException ? "protocol error" : "disconnected";
        LOG.warning(() -> "display source " + name + " " + kind + ": " + reason.getMessage());
        connection = null;
        tell(() -> listener.disconnected(this, reason));
    }

    private void pause(Duration d) {
        try {
            wake.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void tell(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "display source " + name + ": listener failed", e);
        }
    }

    /** Stops reconnecting and closes the connection; waits briefly for the thread to end. */
    @Override
    public void close() {
        closed = true;
        wake.countDown();
        RfbConnection c = connection;
        if (c != null) {
            c.close();
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Forwarder implements RfbListener {
        @Override
        public void frameUpdated(FrameBuffer fb) {
            RfbSource.this.tell(() -> listener.frameUpdated(RfbSource.this));
        }

        @Override
        public void cursorChanged(CursorShape cursor) {
            RfbSource.this.tell(() -> listener.cursorChanged(RfbSource.this, cursor));
        }

        @Override
        public void desktopSizeRefused(int status, String meaning) {
            LOG.info(() -> "display source " + name + ": the server keeps its size (" + meaning + "); it is scaled");
        }
    }
}
