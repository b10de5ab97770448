package org.polydesk.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one transport on its own: typed calls, error.data, a handler that breaks, the peer, the follower. */
class TransportTest {
    record Sum(Integer a, Integer b) {
    }

    record Total(int total) {
    }

    static final RpcMethod<Sum, Total> ADD = RpcMethod.of("test.add", Sum.class, Total.class, "adds");
    static final RpcMethod<Void, Void> BREAK = RpcMethod.of("test.break", Void.class, Void.class, "throws");
    static final RpcMethod<Void, String> WHO = RpcMethod.of("test.who", Void.class, String.class, "the peer");
    static final RpcMethod<Void, Integer> SUBSCRIBE = RpcMethod.of("test.subscribe", Void.class, Integer.class, "counts");
    static final RpcNotification<Total> TICK = RpcNotification.of("test.tick", Total.class, "a tick");

    @TempDir
    Path tmp;

    private RpcServer serve(Path socket, AtomicInteger subscribes) throws Exception {
        return RpcServer.serve(socket, "test server", new RpcServer.Handlers()
                .on(ADD, (p, c) -> {
                    if (p.a() == null || p.b() == null) {
                        throw RpcException.invalid(ErrorCode.INVALID_PARAMS, List.of(
                                new Problem(p.a() == null ? "a" : "b", "both numbers are needed")));
                    }
                    return new Total(p.a() + p.b());
                })
                .on(BREAK, (p, c) -> {
                    throw new IllegalStateException("a bug");
                })
                .on(WHO, (p, c) -> c.peer().user().getName())
                .on(SUBSCRIBE, (p, c) -> {
                    int n = subscribes.incrementAndGet();
                    c.answerNow(SUBSCRIBE, n);
                    c.send(TICK, new Total(n));
                    return null;
                }));
    }

    @Test
    void typedCallsErrorsWithTheirFieldsAndABrokenHandlerLeaveTheServerServing() throws Exception {
        Path socket = tmp.resolve("s.sock");
        try (RpcServer server = serve(socket, new AtomicInteger()); RpcClient c = RpcClient.connect(socket)) {
            assertEquals(new Total(5), c.call(ADD, new Sum(2, 3)));

            RpcClient.CallException missing = assertThrows(RpcClient.CallException.class, () -> c.call(ADD, new Sum(2, null)));
            assertEquals(ErrorCode.INVALID_PARAMS, missing.errorCode());
            assertEquals(List.of(new Problem("b", "both numbers are needed")), missing.problems(), "error.data kept");

            RpcClient.CallException wrongType = assertThrows(RpcClient.CallException.class,
                    () -> c.callRaw(ADD.name(), Json.mapper().createObjectNode().put("a", "two")));
            assertEquals(ErrorCode.INVALID_PARAMS, wrongType.errorCode());
            assertEquals("a", wrongType.problems().get(0).field(), wrongType.problems().toString());

            RpcClient.CallException unknownField = assertThrows(RpcClient.CallException.class,
                    () -> c.callRaw(ADD.name(), Json.mapper().createObjectNode().put("c", 1)));
            assertEquals("c", unknownField.problems().get(0).field());

            RpcClient.CallException bug = assertThrows(RpcClient.CallException.class, () -> c.call(BREAK));
            assertEquals(ErrorCode.INTERNAL_ERROR, bug.errorCode());
            RpcClient.CallException none = assertThrows(RpcClient.CallException.class, () -> c.callRaw("test.none", null));
            assertEquals(ErrorCode.METHOD_NOT_FOUND, none.errorCode());
            assertTrue(none.getMessage().contains("test.add"), "the error names what the server has: " + none.getMessage());

            assertEquals(System.getProperty("user.name"), c.call(WHO), "the peer's credentials come from the kernel");
            assertEquals(new Total(7), c.call(ADD, new Sum(3, 4)), "the connection goes on after every error");
        }
    }

    @Test
    void theFollowerResubscribesWhenTheServerComesBackAndSaysWhyItLostIt() throws Exception {
        Path socket = tmp.resolve("f.sock");
        AtomicInteger subscribes = new AtomicInteger();
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        RpcServer server = serve(socket, subscribes);
        try (RpcFollower follower = new RpcFollower("test", socket, new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), c -> {
            int snapshot = c.call(SUBSCRIBE);
            RpcMessage m = c.nextNotification();
            seen.add("snapshot " + snapshot + ", then " + TICK.decode(m).total());
            while (c.nextNotification() != null) {
                // until the server goes
            }
        }, why -> seen.add("lost: " + why)).start()) {
            assertEquals("snapshot 1, then 1", seen.poll(10, TimeUnit.SECONDS), "the answer precedes what follows it");
            server.close();
            String lost = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(lost);
            assertTrue(lost.startsWith("lost: "), lost);
            server = serve(socket, subscribes);
            String again;
            do {
                again = seen.poll(10, TimeUnit.SECONDS);
            } while (again != null && again.startsWith("lost: "));
            assertEquals("snapshot 2, then 2", again, "subscribed again on the new server");
        } finally {
            server.close();
        }
    }
}
