package org.polydesk.display.bus;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.polydesk.display.source.Backoff;
import org.polydesk.protocol.rpc.RpcClient;

/**
 * Follows one line-JSON-RPC service (polydeskd, input-server's focus bus) for as long as the display
 * server runs: connects, runs a session, and when the service goes away waits and connects again.
 * A service that restarts is followed; one that is never there costs a connect attempt per backoff.
 */
final class Subscription implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Subscription.class.getName());

    interface Session {
        /** Talks to the service until it closes (return or throw); called again after each reconnect. */
        void run(RpcClient client) throws IOException;
    }

    private final String what;
    private final Path socket;
    private final Backoff backoff;
    private final Session session;
    private final Thread thread;
    private volatile boolean closed;
    private volatile RpcClient client;

    Subscription(String what, Path socket, Backoff backoff, Session session) {
        this.what = what;
        this.socket = socket;
        this.backoff = backoff;
        this.session = session;
        this.thread = new Thread(this::loop, "follow-" + what);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        int failures = 0;
        String lastProblem = null;
        while (!closed) {
            try (RpcClient c = RpcClient.connect(socket)) {
                client = c;
                LOG.info(() -> "following " + what + " on " + socket);
                failures = 0;
                lastProblem = null;
                session.run(c);
                throw new EOFException(what + " closed the connection");
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                String problem = e.getMessage();
                // A service that is not up says so once, not on every retry.
                Level level = problem != null && problem.equals(lastProblem) ? Level.FINE : Level.WARNING;
                LOG.log(level, () -> "lost " + what + " (" + socket + "): " + problem + "; retrying");
                lastProblem = problem;
            } finally {
                client = null;
            }
            failures++;
            try {
                Thread.sleep(backoff.delay(failures).toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        RpcClient c = client;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
