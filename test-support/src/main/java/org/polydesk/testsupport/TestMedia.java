package org.polydesk.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Installer media for the media library's tests: a small real ISO 9660 image (xorriso) with a
 * volume label, and a loopback HTTP server that serves files with Range requests and can break
 * its connections off midway, as a flaky mirror does.
 */
public final class TestMedia {
    private TestMedia() {
    }

    /**
     * An ISO image at {@code iso} labelled {@code label}, holding a README and {@code padBytes} of
     * random bytes (so that a copy takes a while).
     */
    public static Path iso(Path iso, String label, int padBytes) throws IOException, InterruptedException {
        Path tree = Files.createTempDirectory(iso.toAbsolutePath().getParent(), "iso-tree");
        Files.writeString(tree.resolve("README.TXT"), "Polydesk test medium " + label + "\n");
        byte[] pad = new byte[padBytes];
        new Random(label.hashCode()).nextBytes(pad);
        Files.write(tree.resolve("PAD.BIN"), pad);
        run(List.of("xorriso", "-as", "mkisofs", "-quiet", "-V", label, "-o", iso.toString(), tree.toString()));
        return iso;
    }

    /** Runs a tool the tests need, failing clearly when it is missing (scripts/setup.sh installs it). */
    public static void run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " is missing (scripts/setup.sh installs it): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    public static String sha256(Path file) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    d.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An HTTP server on the loopback address serving one file at {@code /NAME}: 200 with the
     * whole file, 206 for "Range: bytes=N-". It sends {@code chunk} bytes at a time, pausing
     * {@code pauseMs} between chunks (a slow link, so that progress can be seen), and breaks the
     * connection off after half the bytes of the next {@code drops} responses.
     */
    public static final class Server implements AutoCloseable {
        private final HttpServer http;
        private final Path file;
        private final String name;
        private final int chunk;
        private final long pauseMs;
        private final AtomicInteger drops = new AtomicInteger();
        private volatile Long announcedLength;
        /** The Range header of every request, "" for none. */
        public final List<String> ranges = new CopyOnWriteArrayList<>();

        public Server(Path file, int chunk, long pauseMs) throws IOException {
            this.file = file;
            this.name = file.getFileName().toString();
            this.chunk = chunk;
            this.pauseMs = pauseMs;
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", this::serve);
            http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "test-media-http");
                t.setDaemon(true);
                return t;
            }));
            http.start();
        }

        /** The URL of the file; {@code path} replaces its name (for URLs that name something else). */
        public String url() {
            return url(name);
        }

        public String url(String rawPath) {
            return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + http.getAddress().getPort() + "/" + rawPath;
        }

        /** The next {@code n} responses break off halfway. */
        public void dropNext(int n) {
            drops.set(n);
        }

        /** Answers every request with this Content-Length and no body (a file too big for the disk). */
        public void announce(Long length) {
            announcedLength = length;
        }

        private void serve(HttpExchange ex) throws IOException {
            try {
                String range = ex.getRequestHeaders().getFirst("Range");
                ranges.add(range == null ? "" : range);
                if (!ex.getRequestURI().getRawPath().equals("/" + name)) {
                    ex.sendResponseHeaders(404, -1);
                    ex.close();
                    return;
                }
                if (announcedLength != null) {
                    ex.sendResponseHeaders(200, announcedLength);
                    throw new IOException("the test server announces more than it has");
                }
                byte[] all = Files.readAllBytes(file);
                int from = 0;
                if (range != null && range.matches("bytes=\\d+-")) {
                    from = Integer.parseInt(range.substring(6, range.length() - 1));
                    if (from >= all.length) {
                        ex.getResponseHeaders().set("Content-Range", "bytes */" + all.length);
                        ex.sendResponseHeaders(416, -1);
                        ex.close();
                        return;
                    }
                    ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (all.length - 1) + "/" + all.length);
                    ex.sendResponseHeaders(206, all.length - from);
                } else {
                    ex.sendResponseHeaders(200, all.length);
                }
                boolean drop = drops.getAndUpdate(d -> Math.max(0, d - 1)) > 0;
                int stopAt = drop ? from + (all.length - from) / 2 : all.length;
                OutputStream out = ex.getResponseBody();
                for (int at = from; at < stopAt; at += chunk) {
                    out.write(all, at, Math.min(chunk, stopAt - at));
                    out.flush();
                    if (pauseMs > 0) {
                        Thread.sleep(pauseMs); // a slow link
                    }
                }
                if (drop) {
                    // A handler that throws makes the server close the connection at once, mid-body.
                    throw new IOException("the test server drops this connection");
                }
                out.close();
                ex.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.close();
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
