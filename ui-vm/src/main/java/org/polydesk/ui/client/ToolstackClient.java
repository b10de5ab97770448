package org.polydesk.ui.client;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.polydesk.protocol.audio.AudioEvent;
import org.polydesk.protocol.network.NetworkEvent;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.rpc.RpcFollower;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.rpc.RpcNotification;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.usb.UsbEvent;

/**
 * The UI's typed connection to polydeskd, never on the FX thread. protocol's {@link RpcFollower}
 * keeps an {@code events.subscribe} connection open and reconnects when it breaks; that connection
 * is what tells the UI whether polydeskd is there. Calls ({@link #call}) run on a small pool of
 * worker threads, each with its own connection (a stop that waits a minute for the guest does not
 * hold up a list), and a worker opens a fresh connection after every reconnect of the event stream.
 * <p>
 * Listeners are called on the executor given to the constructor ({@code Platform::runLater} in the app).
 */
public final class ToolstackClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ToolstackClient.class.getName());
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2));

    private final Path socket;
    private final Executor deliver;
    private final ExecutorService workers;
    private final ThreadLocal<Connection> connection = new ThreadLocal<>();
    /** Grows by one each time the event stream connects; a worker's older connection is replaced. */
    private final AtomicLong epoch = new AtomicLong();
    private final RpcFollower events;
    private volatile boolean closed;
    private volatile Consumer<Link> linkListener = l -> { };
    private volatile Consumer<LifecycleEvent> eventListener = e -> { };
    private volatile Consumer<NetworkEvent> networkListener = e -> { };
    private volatile Consumer<AudioEvent> audioListener = e -> { };
    private volatile Consumer<UsbEvent> usbListener = e -> { };
    private volatile Link link;

    private record Connection(RpcClient rpc, long epoch) {
    }

    public ToolstackClient(Path socket, Executor deliver) {
        this.socket = socket;
        this.deliver = deliver;
        this.link = new Link(Link.State.CONNECTING, "connecting to " + socket);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "polydeskd-call-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.events = new RpcFollower("polydeskd", socket, RETRY, this::followEvents,
                why -> {
                    if (!closed) {
                        setLink(new Link(Link.State.DISCONNECTED, socket + ": " + why.replace("the service", "polydeskd")));
                    }
                });
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

    /** Called with every network event polydeskd publishes (created, up, failed, DHCP restarted…). */
    public void onNetworkEvent(Consumer<NetworkEvent> listener) {
        networkListener = listener;
    }

    /** Called with every audio event (the sound server came or went, the settings changed). */
    public void onAudioEvent(Consumer<AudioEvent> listener) {
        audioListener = listener;
    }

    /** Called with every USB event (a device plugged in or pulled out, where it went, the settings changed). */
    public void onUsbEvent(Consumer<UsbEvent> listener) {
        usbListener = listener;
    }

    /** Starts following polydeskd's events (and reconnecting). */
    public void start() {
        events.start();
    }

    public Link link() {
        return link;
    }

    private void followEvents(RpcClient rpc) throws IOException {
        rpc.call(ToolstackApi.EVENTS_SUBSCRIBE);
        epoch.incrementAndGet();
        setLink(new Link(Link.State.CONNECTED, "connected to " + socket));
        RpcMessage msg;
        while ((msg = rpc.nextNotification()) != null) {
            if (ToolstackApi.EVENT.matches(msg)) {
                LifecycleEvent e = ToolstackApi.EVENT.decode(msg);
                Consumer<LifecycleEvent> l = eventListener;
                deliver.execute(() -> l.accept(e));
            } else if (ToolstackApi.NETWORK_EVENT.matches(msg)) {
                NetworkEvent e = ToolstackApi.NETWORK_EVENT.decode(msg);
                Consumer<NetworkEvent> l = networkListener;
                deliver.execute(() -> l.accept(e));
            } else if (ToolstackApi.AUDIO_EVENT.matches(msg)) {
                AudioEvent e = ToolstackApi.AUDIO_EVENT.decode(msg);
                Consumer<AudioEvent> l = audioListener;
                deliver.execute(() -> l.accept(e));
            } else if (ToolstackApi.USB_EVENT.matches(msg)) {
                UsbEvent e = ToolstackApi.USB_EVENT.decode(msg);
                Consumer<UsbEvent> l = usbListener;
                deliver.execute(() -> l.accept(e));
            }
        }
    }

    /** Calls {@code method} on a worker; the future fails with a {@link ToolstackException}. */
    public <P, R> CompletableFuture<R> call(RpcMethod<P, R> method, P params) {
        CompletableFuture<R> result = new CompletableFuture<>();
        workers.execute(() -> {
            try {
                result.complete(callHere(method, params));
            } catch (ToolstackException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(ToolstackException.unreachable(method.name(), e.toString(), e));
            }
        });
        return result;
    }

    /** For a method that takes no params. */
    public <R> CompletableFuture<R> call(RpcMethod<Void, R> method) {
        return call(method, null);
    }

    /**
     * Calls {@code method} on a connection of its own, for a request whose progress polydeskd sends
     * afterwards as {@code notification}s (install.start). The future completes with the answer;
     * then each notification's value goes to {@code listener} (on the deliver executor) until one
     * is {@code last}. When the connection ends before that, {@code broken} gets why.
     */
    public <P, R, N> CompletableFuture<R> follow(RpcMethod<P, R> method, P params, RpcNotification<N> notification,
                                                 Consumer<N> listener, Predicate<N> last, Consumer<String> broken) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                try {
                    answer.complete(rpc.call(method, params));
                } catch (RpcClient.CallException e) {
                    answer.completeExceptionally(ToolstackException.refused(e));
                    return;
                }
                RpcMessage msg;
                while ((msg = rpc.nextNotification()) != null) {
                    if (notification.matches(msg)) {
                        N value = notification.decode(msg);
                        deliver.execute(() -> listener.accept(value));
                        if (last.test(value)) {
                            return;
                        }
                    }
                }
                deliver.execute(() -> broken.accept("polydeskd closed the connection"));
            } catch (IOException e) {
                if (!answer.isDone()) {
                    answer.completeExceptionally(ToolstackException.unreachable(method.name(),
                            socket + ": " + reason(e), e));
                } else {
                    deliver.execute(() -> broken.accept(reason(e)));
                }
            }
        }, "polydeskd-follow-" + method.name());
        t.setDaemon(true);
        t.start();
        return answer;
    }

    private <P, R> R callHere(RpcMethod<P, R> method, P params) throws ToolstackException {
        if (closed) {
            throw ToolstackException.unreachable(method.name(), "the UI is closing", null);
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
                throw ToolstackException.unreachable(method.name(), socket + ": " + reason(e), e);
            }
            connection.set(c);
        }
        try {
            return c.rpc().call(method, params);
        } catch (RpcClient.CallException e) {
            throw ToolstackException.refused(e);
        } catch (IOException e) {
            // The connection is broken; the next call on this worker opens a new one.
            connection.remove();
            closeQuietly(c.rpc());
            throw ToolstackException.unreachable(method.name(), "the connection broke during " + method.name() + ": "
                    + reason(e), e);
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
        return RpcFollower.reason(e).replace("the service", "polydeskd");
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
        events.close();
        workers.shutdownNow();
    }
}
