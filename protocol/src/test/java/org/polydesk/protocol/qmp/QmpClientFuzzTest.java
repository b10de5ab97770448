package org.polydesk.protocol.qmp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link QmpClient} for real, over a UNIX socket: a malicious
 * "QEMU" sends a valid greeting, then the fuzz input, then closes. The client connects, runs one
 * command if it got that far, and closes. Only IOException may come out of it (QmpException is
 * one), its reader thread must end without an uncaught exception, and nothing may wait past its
 * timeout. Seeds and findings:
 * {@code src/test/resources/org/polydesk/protocol/qmp/QmpClientFuzzTestInputs/afterGreeting/};
 * {@code scripts/fuzz.sh qmp} fuzzes.
 */
class QmpClientFuzzTest {
    static final byte[] GREETING = ("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
            + " \"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The reader thread is named after the socket's folder: this one. */
    private static final String FOLDER = "qmp-fuzz";

    private static Path dir;
    private static Path socket;
    private static ServerSocketChannel server;
    private static final ExecutorService QEMU = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-qemu");
        t.setDaemon(true);
        return t;
    });
    private static volatile Throwable uncaught;

    private static synchronized void listen() throws IOException {
        if (server != null) {
            return;
        }
        dir = Files.createDirectories(Files.createTempDirectory("polydesk-").resolve(FOLDER));
        socket = dir.resolve("qmp.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (t.getName().equals("qmp-" + FOLDER)) {
                uncaught = e;
            } else if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace();
            }
        });
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
            Files.deleteIfExists(dir.getParent());
            server = null;
        }
    }

    @FuzzTest
    @Timeout(10)
    void afterGreeting(byte[] input) throws Exception {
        listen();
        uncaught = null;
        long start = System.nanoTime();
        Future<?> qemu = QEMU.submit(() -> {
            try (SocketChannel peer = server.accept()) {
                ByteBuffer out = ByteBuffer.allocate(GREETING.length + input.length).put(GREETING).put(input).flip();
                while (out.hasRemaining()) {
                    peer.write(out);
                }
                peer.shutdownOutput();
                ByteBuffer sink = ByteBuffer.allocate(4096);
                while (peer.read(sink.clear()) >= 0) {
                    // what the client says, until it closes
                }
            } catch (IOException clientLeft) {
                // the client closed first: a peer may
            }
            return null;
        });
        QmpClient client = null;
        try {
            client = QmpClient.connect(socket, event -> { }, TIMEOUT);
            client.execute("query-status", null, TIMEOUT);
        } catch (IOException refused) {
            // a broken, closed or refusing monitor: what callers handle
        } finally {
            if (client != null) {
                client.close();
            }
        }
        qemu.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        joinReader(start);
        if (client != null) {
            client.closed().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (uncaught != null) {
            throw new AssertionError("the QMP reader thread died of " + uncaught, uncaught);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 3 * TIMEOUT.toMillis(), "took " + millis + " ms");
    }

    /** Waits for this connection's reader thread to end, so that its fate is this input's. */
    private static void joinReader(long start) throws InterruptedException {
        Thread[] threads = new Thread[Thread.activeCount() + 8];
        int n = Thread.currentThread().getThreadGroup().enumerate(threads);
        for (int i = 0; i < n; i++) {
            if (threads[i].getName().equals("qmp-" + FOLDER)) {
                long left = 3 * TIMEOUT.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                threads[i].join(Math.max(1, left));
                assertTrue(!threads[i].isAlive(), "the QMP reader thread still runs after close");
            }
        }
    }
}
