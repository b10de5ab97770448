package org.polydesk.protocol.rpc;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one reconnecting follower: keeps a session with a line-JSON-RPC service (polydeskd's events,
 * the focus bus) for as long as it runs. It connects, runs the session (subscribe, resync from the
 * snapshot the subscription answers, receive), and when the service goes away backs off
 * ({@link Backoff}, afresh after a session that got going) and connects again. A service that restarts is followed; one that is never there costs a connect
 * attempt per back-off and one log line.
 */
public final class RpcFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RpcFollower.class.getName());

    /** Talks to the service until it closes (return or throw); called again after each reconnect. */
    @FunctionalInterface
    public interface Session {
        void run(RpcClient client) throws IOException;
    }

    /** Told when a session ends and why, in words for a person (for a "service is gone" banner). */
    @FunctionalInterface
    public interface LostListener {
        void lost(String why);
    }

    private final String what;
    private final Path socket;
    private final Backoff backoff;
    private final Session session;
    private final LostListener lost;
    private final Thread thread;
    private volatile boolean closed;
    private volatile RpcClient client;

    public RpcFollower(String what, Path socket, Backoff backoff, Session session, LostListener lost) {
        this.what = what;
        this.socket = socket;
        this.backoff = backoff;
        this.session = session;
        this.lost = lost == null ? why -> { } : lost;
        this.thread = new Thread(this::loop, "follow-" + what);
        thread.setDaemon(true);
    }

    public RpcFollower start() {
        thread.start();
        return this;
    }

    private void loop() {
        int failures = 0;
        String lastProblem = null;
        while (!closed) {
            long began = System.nanoTime();
            try (RpcClient c = RpcClient.connect(socket)) {
                client = c;
                LOG.fine(() -> "following " + what + " on " + socket);
                session.run(c);
                throw new EOFException(what + " closed the connection");
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                String problem = reason(e);
                // A service that is not up says so once, not on every retry.
                Level level = problem.equals(lastProblem) ? Level.FINE : Level.WARNING;
                LOG.log(level, () -> "lost " + what + " (" + socket + "): " + problem + "; retrying");
                lastProblem = problem;
                lost.lost(problem);
            } finally {
                client = null;
            }
            // A session that ran a while was a real one: start backing off afresh.
            failures = System.nanoTime() - began > backoff.max().toNanos() ? 1 : failures + 1;
            try {
                Thread.sleep(backoff.delay(failures).toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Why a connection failed, in words for a person. */
    public static String reason(Exception e) {
        String m = e.getMessage();
        if (e instanceof SocketException && m != null && m.contains("Connection refused")) {
            return "connection refused (the service is not running)";
        }
        if (e instanceof NoSuchFileException || e instanceof FileNotFoundException
                || (m != null && m.contains("No such file"))) {
            return "no socket there (the service is not running)";
        }
        return m == null ? e.getClass().getSimpleName() : m;
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
