package org.polydesk.viewer.session;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.polydesk.protocol.viewer.ViewerChannel;
import org.polydesk.protocol.viewer.ViewerCodec;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.viewer.serial.SerialLink;

/**
 * The viewer's end of the channel: says HELLO, then follows dom0's SHOW, HIDE, FRAME and CURSOR.
 * dom0 repeats SHOW or HIDE every two seconds; when it is silent longer than
 * {@link ViewerChannel#SILENCE_MILLIS} (dom0's display server restarted and waits for a HELLO),
 * the viewer says HELLO again. A broken stream reopens the port.
 */
public final class ViewerSession implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ViewerSession.class.getName());

    /** What the session asks of the window; called on the session's threads. */
    public interface Screen {
        void show();

        void hide();

        void frame(ViewerMessage.Frame frame);

        void cursor(ViewerMessage.Cursor cursor);
    }

    private final Path port;
    private final ViewerMessage.Hello hello;
    private final Screen screen;
    private final Thread reader;
    private final Thread watchdog;
    private SerialLink link;
    private long lastHeard;
    private long hellos;
    private volatile boolean closed;

    public ViewerSession(Path port, ViewerMessage.Hello hello, Screen screen) {
        this.port = port;
        this.hello = hello;
        this.screen = screen;
        this.reader = new Thread(this::readLoop, "viewer-session");
        this.watchdog = new Thread(this::watch, "viewer-watchdog");
        reader.setDaemon(true);
        watchdog.setDaemon(true);
    }

    public ViewerSession start() {
        reader.start();
        watchdog.start();
        return this;
    }

    /** How many HELLOs were sent; tests and logs. */
    public synchronized long hellos() {
        return hellos;
    }

    private void readLoop() {
        while (!closed) {
            SerialLink l = null;
            try {
                l = SerialLink.open(port);
                synchronized (this) {
                    link = l;
                }
                sayHello(l);
                while (!closed) {
                    ViewerMessage m = ViewerCodec.read(l.in());
                    synchronized (this) {
                        lastHeard = System.currentTimeMillis();
                    }
                    if (m instanceof ViewerMessage.Show) {
                        screen.show();
                    } else if (m instanceof ViewerMessage.Hide) {
                        screen.hide();
                    } else if (m instanceof ViewerMessage.Frame f) {
                        screen.frame(f);
                    } else if (m instanceof ViewerMessage.Cursor c) {
                        screen.cursor(c);
                    } else {
                        throw new IOException("dom0 sent a HELLO, which is the viewer's to send");
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.warning("viewer channel on " + port + ": " + e.getMessage() + "; opening it again");
                }
            } finally {
                synchronized (this) {
                    link = null;
                }
                if (l != null) {
                    l.close();
                }
            }
            pause(1000);
        }
    }

    private void sayHello(SerialLink l) throws IOException {
        byte[] bytes = ViewerCodec.encode(hello);
        synchronized (this) {
            lastHeard = System.currentTimeMillis();
            hellos++;
            l.out().write(bytes);
            l.out().flush();
        }
    }

    private void watch() {
        while (!closed) {
            pause(500);
            SerialLink l;
            synchronized (this) {
                l = link;
                if (l == null || System.currentTimeMillis() - lastHeard < ViewerChannel.SILENCE_MILLIS) {
                    continue;
                }
            }
            try {
                LOG.info("dom0 silent for " + ViewerChannel.SILENCE_MILLIS + " ms: saying HELLO again");
                sayHello(l);
            } catch (IOException e) {
                l.close(); // the reader opens the port again
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        SerialLink l;
        synchronized (this) {
            l = link;
        }
        if (l != null) {
            l.close();
        }
    }
}
