package org.polydesk.ui.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.Methods;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;

/**
 * The UI's connection to polydeskd, never on the FX thread. One thread keeps an
 * {@code events.subscribe} connection open and reconnects when it breaks; that connection is what
 * tells the UI whether polydeskd is there. Requests run on a small pool of worker threads, each
 * with its own connection (a stop that waits a minute for the guest does not hold up a list), and
 * a worker opens a fresh connection after every reconnect of the event stream.
 * <p>
 * Listeners are called on the executor given to the constructor ({@code Platform::runLater} in the app).
 */
public final class ToolstackClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ToolstackClient.class.getName());
    /** Reads answers leniently: a newer polydeskd may send fields this UI does not know. */
    static final ObjectMapper READER = Json.mapper().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final long MIN_RETRY_MS = 250;
    private static final long MAX_RETRY_MS = 2000;

    private final Path socket;
    private final java.util.concurrent.Executor deliver;
    private final ExecutorService workers;
    private final ThreadLocal<Connection> connection = new ThreadLocal<>();
    /** Grows by one each time the event stream connects; a worker's older connection is replaced. */
    private final AtomicLong epoch = new AtomicLong();
    private final Thread eventThread;
    private volatile boolean closed;
    private volatile RpcClient eventClient;
    private volatile Consumer<Link> linkListener = l -> { };
    private volatile Consumer<LifecycleEvent> eventListener = e -> { };
    private volatile Link link;

    private record Connection(RpcClient rpc, long epoch) {
    }

    public ToolstackClient(Path socket, java.util.concurrent.Executor deliver) {
        this.socket = socket;
        this.deliver = deliver;
        this.link = new Link(Link.State.CONNECTING, "connecting to " + socket);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "polydeskd-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.eventThread = new Thread(this::eventLoop, "polydeskd-events");
        this.eventThread.setDaemon(true);
    }

    public Path socket() {
        return socket;
    }

    /** Called with every change of the link; the first call tells the current one. */
    public void onLink(Consumer<Link> listener) {
        linkListener = listener;
        Link now = link;
        deliver.execute(() -> listener.accept(now));
    }

    /** Called with every lifecycle event polydeskd publishes. */
    public void onEvent(Consumer<LifecycleEvent> listener) {
        eventListener = listener;
    }

    /** Starts following polydeskd's events (and reconnecting). */
    public void start() {
        eventThread.start();
    }

    public Link link() {
        return link;
    }

    /** Calls {@code method} on a worker; the future fails with a {@link ToolstackException}. */
    public CompletableFuture<JsonNode> call(String method, JsonNode params) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        workers.execute(() -> {
            try {
                result.complete(callHere(method, params));
            } catch (ToolstackException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(ToolstackException.unreachable(method, e.toString(), e));
            }
        });
        return result;
    }

    /**
     * Calls {@code method} on a connection of its own, for a request whose progress polydeskd sends
     * afterwards as {@code notification}s (install.start). The future completes with the answer;
     * then each notification's params go to {@code listener} (on the deliver executor) until one
     * is {@code last}. When the connection ends before that, {@code broken} gets why.
     */
    public CompletableFuture<JsonNode> follow(String method, JsonNode params, String notification,
                                              Consumer<JsonNode> listener, java.util.function.Predicate<JsonNode> last,
                                              Consumer<String> broken) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                try {
                    answer.complete(rpc.call(method, params));
                } catch (RpcClient.CallException e) {
                    answer.completeExceptionally(ToolstackException.refused(method, e.code(), e.getMessage()));
                    return;
                }
                RpcMessage msg;
                while ((msg = rpc.nextNotification()) != null) {
                    if (notification.equals(msg.method())) {
                        JsonNode p = msg.params();
                        deliver.execute(() -> listener.accept(p));
                        if (last.test(p)) {
                            return;
                        }
                    }
                }
                deliver.execute(() -> broken.accept("polydeskd closed the connection"));
            } catch (IOException e) {
                if (!answer.isDone()) {
                    answer.completeExceptionally(ToolstackException.unreachable(method, socket + ": " + reason(e), e));
                } else {
                    deliver.execute(() -> broken.accept(reason(e)));
                }
            }
        }, "polydeskd-follow-" + method);
        t.setDaemon(true);
        t.start();
        return answer;
    }

    private JsonNode callHere(String method, JsonNode params) throws ToolstackException {
        if (closed) {
            throw ToolstackException.unreachable(method, "the UI is closing", null);
        }
        Connection c = connection.get();
        long now = epoch.get();
        if (c != null && c.epoch() != now) {
            closeQuietly(c.rpc());
            c = null;
        }
        if (c == null) {
            try {
                c = new Connection(RpcClient.connect(socket), now);
            } catch (IOException e) {
                throw ToolstackException.unreachable(method, socket + ": " + reason(e), e);
            }
            connection.set(c);
        }
        try {
            return c.rpc().call(method, params);
        } catch (RpcClient.CallException e) {
            throw ToolstackException.refused(method, e.code(), e.getMessage());
        } catch (IOException e) {
            // The connection is broken; the next call on this worker opens a new one.
            connection.remove();
            closeQuietly(c.rpc());
            throw ToolstackException.unreachable(method, "the connection broke during " + method + ": " + reason(e), e);
        }
    }

    private void eventLoop() {
        long retry = MIN_RETRY_MS;
        while (!closed) {
            RpcClient rpc = null;
            try {
                rpc = RpcClient.connect(socket);
                eventClient = rpc;
                rpc.call(Methods.EVENTS_SUBSCRIBE, null);
                epoch.incrementAndGet();
                retry = MIN_RETRY_MS;
                setLink(new Link(Link.State.CONNECTED, "connected to " + socket));
                RpcMessage msg;
                while ((msg = rpc.nextNotification()) != null) {
                    if (Methods.EVENT.equals(msg.method())) {
                        LifecycleEvent e = READER.treeToValue(msg.params(), LifecycleEvent.class);
                        Consumer<LifecycleEvent> l = eventListener;
                        deliver.execute(() -> l.accept(e));
                    }
                }
                if (!closed) {
                    setLink(new Link(Link.State.DISCONNECTED, "polydeskd closed the connection"));
                }
            } catch (IOException e) {
                if (!closed) {
                    setLink(new Link(Link.State.DISCONNECTED, socket + ": " + reason(e)));
                }
            } finally {
                if (rpc != null) {
                    closeQuietly(rpc);
                }
            }
            try {
                Thread.sleep(retry);
            } catch (InterruptedException e) {
                return;
            }
            retry = Math.min(MAX_RETRY_MS, retry * 2);
        }
    }

    private void setLink(Link next) {
        Link before = link;
        if (before.state() == next.state() && before.detail().equals(next.detail())) {
            return;
        }
        link = next;
        LOG.fine(() -> "link " + next);
        Consumer<Link> l = linkListener;
        deliver.execute(() -> l.accept(next));
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.SocketException && m != null && m.contains("Connection refused")) {
            return "connection refused (polydeskd is not running)";
        }
        if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.io.FileNotFoundException
                || (m != null && m.contains("No such file"))) {
            return "no socket there (polydeskd is not running)";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(RpcClient c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing a broken connection has nothing left to report.
        }
    }

    @Override
    public void close() {
        closed = true;
        RpcClient ev = eventClient;
        if (ev != null) {
            closeQuietly(ev);
        }
        eventThread.interrupt();
        workers.shutdownNow();
    }
}
