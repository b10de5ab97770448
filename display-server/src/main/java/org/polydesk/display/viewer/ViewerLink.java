package org.polydesk.display.viewer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.viewer.ViewerChannel;
import org.polydesk.protocol.viewer.ViewerCodec;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.protocol.viewer.ViewerProtocolException;

/**
 * dom0's end of the viewer channel. One thread reads: it (re)opens the channel, waits for the
 * viewer's HELLO, maps the region it offers and hands it to the listener; the first message
 * outside the contract closes the channel (logged with the reason) and it is opened again after
 * a backoff. Another thread writes SHOW/HIDE, FRAME and CURSOR notices, only the newest of each,
 * plus the visibility every heartbeat; callers never wait for the guest.
 */
public final class ViewerLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ViewerLink.class.getName());

    interface Listener {
        /**
         * A viewer said HELLO and its region is mapped; the next frames go there, drawn at the
         * viewer's {@code scale} (its OS's HiDPI scale: 1, 1.25, 1.5 or 2). The listener
         * owns the region and closes it once it no longer writes into it.
         */
        void attached(MappedRegion region, double scale);

        /** The viewer is gone or broke the contract: no region until the next HELLO. */
        void detached(String reason);
    }

    private final Path channel;
    private final RegionMapper regions;
    private final Backoff backoff;
    private final Listener listener;
    private final Thread reader;
    private final Thread writer;
    private ChannelConnection connection;
    /** The viewer on {@code connection} said HELLO: until then dom0 has nothing to tell it. */
    private boolean greeted;
    private boolean visible = true;
    private boolean visibilityDue;
    private ViewerMessage.Frame frameDue;
    private ViewerMessage.Cursor cursorDue;
    private volatile boolean closed;

    ViewerLink(Path channel, RegionMapper regions, Backoff backoff, Listener listener) {
        this.channel = channel;
        this.regions = regions;
        this.backoff = backoff;
        this.listener = listener;
        this.reader = new Thread(this::readLoop, "viewer-read " + channel);
        this.writer = new Thread(this::writeLoop, "viewer-write " + channel);
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    public ViewerLink start() {
        reader.start();
        writer.start();
        return this;
    }

    public String describe() {
        return "viewer channel " + channel;
    }

    /** Show the viewer (a VM other than the passthrough VM has focus) or hide it. */
    public synchronized void setVisible(boolean show) {
        if (show != visible) {
            visible = show;
            visibilityDue = true;
            notifyAll();
        }
    }

    /** Frame {@code frame} is published in the region; an older one not yet sent is superseded. */
    public synchronized void frameReady(ViewerMessage.Frame frame) {
        frameDue = frame;
        notifyAll();
    }

    /**
     * The pointer changed; a CURSOR not yet sent is superseded, but its shape is kept when
     * {@code cursor} has none: the viewer must not miss a shape.
     */
    public synchronized void cursorReady(ViewerMessage.Cursor cursor) {
        ViewerMessage.Cursor due = cursorDue;
        cursorDue = due != null && due.argb() != null && cursor.argb() == null
                ? new ViewerMessage.Cursor(cursor.visible(), cursor.x(), cursor.y(), due.hotX(), due.hotY(),
                        due.width(), due.height(), due.argb())
                : cursor;
        notifyAll();
    }

    private void readLoop() {
        int failures = 0;
        while (!closed) {
            boolean attached = false;
            String reason;
            try (ChannelConnection c = ChannelConnection.open(channel)) {
                connected(c);
                failures = 0;
                while (true) {
                    ViewerMessage m = ViewerCodec.read(c.in);
                    if (!(m instanceof ViewerMessage.Hello hello)) {
                        throw new ViewerProtocolException(m.getClass().getSimpleName().toUpperCase()
                                + " is for dom0 to send, not the viewer");
                    }
                    MappedRegion region = regions.map(hello);
                    LOG.info(() -> "viewer on " + channel + " says hello: " + region.description());
                    attached = true;
                    listener.attached(region, hello.scale());
                    synchronized (this) {
                        greeted = true;
                        visibilityDue = true;
                        notifyAll();
                    }
                }
            } catch (EOFException e) {
                reason = "the viewer channel closed";
            } catch (ViewerProtocolException e) {
                reason = "the viewer broke the channel's contract (" + e.getMessage() + "); channel closed";
                failures++;
            } catch (IOException | InternalError e) {
                reason = "the viewer channel failed: " + e.getMessage();
                failures++;
            } finally {
                connected(null);
            }
            if (closed) {
                return;
            }
            String why = reason;
            LOG.warning(() -> channel + ": " + why);
            if (attached) {
                listener.detached(why);
            }
            try {
                Thread.sleep(backoff.delay(Math.max(failures, 1)).toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void connected(ChannelConnection c) {
        connection = c;
        greeted = false;
        frameDue = null;
        cursorDue = null; // the sink tells a new viewer the pointer once it attached
        notifyAll();
    }

    private void writeLoop() {
        long nextHeartbeat = 0;
        while (!closed) {
            ChannelConnection c;
            ViewerMessage message;
            synchronized (this) {
                long now = System.currentTimeMillis();
                while (!closed && (!greeted
                        || (!visibilityDue && frameDue == null && cursorDue == null && now < nextHeartbeat))) {
                    try {
                        wait(!greeted ? 0 : Math.max(1, nextHeartbeat - now));
                    } catch (InterruptedException e) {
                        return;
                    }
                    now = System.currentTimeMillis();
                }
                if (closed) {
                    return;
                }
                c = connection;
                if (visibilityDue || now >= nextHeartbeat) {
                    message = visible ? new ViewerMessage.Show() : new ViewerMessage.Hide();
                    visibilityDue = false;
                    nextHeartbeat = now + ViewerChannel.HEARTBEAT_MILLIS;
                } else if (frameDue != null) {
                    message = frameDue;
                    frameDue = null;
                } else {
                    message = cursorDue;
                    cursorDue = null;
                }
            }
            try {
                ViewerCodec.write(message, c.out);
            } catch (IOException e) {
                LOG.warning(() -> channel + ": cannot write to the viewer (" + e.getMessage() + ")");
                try {
                    c.close(); // the reader sees it and opens the channel again
                } catch (IOException ignored) {
                    // closing a broken channel
                }
                synchronized (this) {
                    if (connection == c) {
                        connection = null;
                        greeted = false;
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        ChannelConnection c;
        synchronized (this) {
            c = connection;
            notifyAll();
        }
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
        reader.interrupt();
    }
}
