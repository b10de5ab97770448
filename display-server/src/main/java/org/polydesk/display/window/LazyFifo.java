package org.polydesk.display.window;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The pipe to input-server's {@code --events}: opening a FIFO for writing waits for its reader, so
 * it is opened on a thread of its own; until then, and after the reader went away, input is dropped
 * (with one warning) rather than stalling the window.
 */
public final class LazyFifo extends OutputStream {
    private static final Logger LOG = Logger.getLogger(LazyFifo.class.getName());
    private final Path path;
    private volatile OutputStream out;
    private boolean warned;

    public LazyFifo(Path path) {
        this.path = path;
        Thread opener = new Thread(this::open, "open-" + path.getFileName());
        opener.setDaemon(true);
        opener.start();
    }

    private void open() {
        try {
            out = new FileOutputStream(path.toFile(), true);
            LOG.info(() -> "passing the window's input to " + path);
        } catch (IOException e) {
            LOG.warning(() -> "cannot open " + path + " for the window's input: " + e.getMessage());
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        OutputStream o = out;
        if (o == null) {
            if (!warned) {
                warned = true;
                LOG.warning(() -> "input-server is not reading " + path + " yet; the window's input is dropped");
            }
            return;
        }
        try {
            o.write(b, off, len);
        } catch (IOException e) {
            out = null;
            throw new IOException("input-server stopped reading " + path + ": " + e.getMessage(), e);
        }
    }
}
