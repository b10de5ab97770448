package org.polydesk.toolstack.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.polydesk.protocol.media.MediaProgress;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi.MediaImport;
import org.polydesk.protocol.toolstack.ToolstackApi.MediaImportStarted;

/**
 * media.import: copies an installer image into the {@link MediaLibrary}, from a URL (downloaded
 * with java.net.http) or from a file on a {@link UsbSticks stick}. Everything that can be known
 * before copying is checked before the call answers (the source exists and is readable, the name is
 * free, the size fits the free space); the copy then runs on a thread of its own and reports
 * {@link MediaProgress} to the caller. A download that breaks off is continued where it stopped by
 * HTTP Range requests, a few times within the import and again by a later import of the same URL,
 * because the unfinished {@code .part} and its URL are kept; a wrong checksum deletes it.
 */
public final class MediaImports {
    private static final Logger LOG = Logger.getLogger(MediaImports.class.getName());
    /** How often a download that breaks off is continued within one import. */
    public static final int RESUMES = 3;
    /** A download that receives nothing this long is broken off (and continued). */
    static final Duration STALL = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    /** The least time between two progress notifications. */
    private static final long PROGRESS_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final MediaLibrary library;
    private final UsbSticks usb;
    /**
     * Made at the first download, not with polydeskd: a client brings the JDK's TLS stack and its
     * trust store (500 classes, a selector thread), which most days no import needs.
     */
    private HttpClient http;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "media-stall-watch");
        t.setDaemon(true);
        return t;
    });

    public MediaImports(MediaLibrary library, UsbSticks usb) {
        this.library = library;
        this.usb = usb;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return http;
    }

    /** An import checked and ready to copy: its answer, and the copy to run once the caller has the answer. */
    public interface Job {
        MediaImportStarted started();

        /** Copies on a thread of its own, reporting to the caller until done or failed. */
        void start();
    }

    /** Checks {@code params} and opens the source; the returned job has not copied anything yet. */
    public Job prepare(MediaImport params, Consumer<MediaProgress> progress) throws RpcException {
        boolean byUrl = params.url() != null && !params.url().isBlank();
        boolean byUsb = params.usbDevice() != null || params.usbFile() != null;
        if (byUrl == byUsb) {
            throw RpcException.invalidParam(MediaImport.URL, "give either url, or usbDevice and usbFile (from media.usb.list)");
        }
        String sha256 = MediaLibrary.checkSha256(params.sha256());
        return byUrl ? download(params, sha256, progress) : fromStick(params, sha256, progress);
    }

    // ---- by URL ----

    private Job download(MediaImport params, String sha256, Consumer<MediaProgress> progress) throws RpcException {
        URI uri = httpUri(params.url());
        String name = params.name() != null ? params.name() : MediaLibrary.nameFrom(lastSegment(uri));
        if (name == null) {
            throw RpcException.invalidParam(MediaImport.NAME, "the URL " + uri + " names no file; give the medium a name");
        }
        library.reserve(name, params.name() != null ? MediaImport.NAME : MediaImport.URL);
        Response opened = null;
        try {
            Path part = library.part(name);
            Path partUrl = library.partUrl(name);
            long have = 0;
            if (Files.exists(part) && Files.exists(partUrl) && Files.readString(partUrl).strip().equals(uri.toString())) {
                have = Files.size(part);
            } else {
                Files.deleteIfExists(part);
            }
            Response r = request(uri, have);
            opened = r;
            if (have > 0 && r.start() == 0) {
                have = 0; // the server sends it all again
            }
            Long total = r.total();
            if (total != null) {
                library.checkSpace(total - have, name);
            }
            library.writeAtomically(partUrl, uri + "\n");
            String id = UUID.randomUUID().toString();
            return new Job() {
                @Override
                public MediaImportStarted started() {
                    return new MediaImportStarted(id, name, total);
                }

                @Override
                public void start() {
                    background(name, () -> {
                        Reporter rep = new Reporter(id, name, total, progress);
                        // The end is told once the name is free: media.list shows the unfinished file
                        // to whoever heard it (a listed import hides its .part until then).
                        rep.holdEnd();
                        try {
                            runDownload(uri, r, part, partUrl, sha256, rep);
                        } finally {
                            library.release(name);
                            rep.releaseEnd();
                        }
                    });
                }
            };
        } catch (RpcException e) {
            if (opened != null) {
                closeQuietly(opened.response());
            }
            library.release(name);
            throw e;
        } catch (IOException e) {
            if (opened != null) {
                closeQuietly(opened.response());
            }
            library.release(name);
            throw new RpcException(ErrorCode.STORE_FAILED, "cannot prepare the download of " + name + " in "
                    + library.directory() + ": " + e.getMessage());
        }
    }

    private static URI httpUri(String url) throws RpcException {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw RpcException.invalidParam(MediaImport.URL, "url is no URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw RpcException.invalidParam(MediaImport.URL, "only http and https URLs are imported, not '" + url + "'");
        }
        if (uri.getHost() == null) {
            throw RpcException.invalidParam(MediaImport.URL, "the URL '" + url + "' names no host");
        }
        return uri;
    }

    private static String lastSegment(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        try {
            return URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return last;
        }
    }

    /** A response whose body has not been read: the bytes it starts at and the whole file's size, when known. */
    private record Response(HttpResponse<InputStream> response, long start, Long total) {
    }

    /** GET from {@code offset} on (a Range request unless 0); a server that ignores the range starts at 0. */
    private Response request(URI uri, long offset) throws RpcException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(CONNECT_TIMEOUT.multipliedBy(3)).GET();
        if (offset > 0) {
            b.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot download " + uri + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(ErrorCode.BACKEND_FAILED, "interrupted while asking " + uri);
        }
        int status = resp.statusCode();
        long length = resp.headers().firstValueAsLong("content-length").orElse(-1);
        if (status == 200) {
            if (offset > 0) {
                LOG.info(uri + " does not continue at byte " + offset + "; downloading it whole again");
            }
            return new Response(resp, 0, length >= 0 ? length : null);
        }
        if (status == 206 && offset > 0) {
            Matcher m = CONTENT_RANGE.matcher(resp.headers().firstValue("content-range").orElse(""));
            if (m.matches() && Long.parseLong(m.group(1)) == offset) {
                Long total = !m.group(3).equals("*") ? Long.valueOf(m.group(3)) : length >= 0 ? offset + length : null;
                return new Response(resp, offset, total);
            }
            closeQuietly(resp);
            throw new RpcException(ErrorCode.BACKEND_FAILED, uri + " answered the range from byte " + offset + " with "
                    + resp.headers().firstValue("content-range").orElse("no Content-Range"));
        }
        closeQuietly(resp);
        if (status == 416 && offset > 0) {
            return request(uri, 0); // the unfinished file no longer fits the server's: start over
        }
        throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot download " + uri + ": the server answered HTTP " + status);
    }

    /**
     * Reads the download into {@code part}; when it breaks off, asks for the rest with a Range
     * request, {@link #RESUMES} times at most, and keeps the unfinished file for a later import.
     */
    private void runDownload(URI uri, Response first, Path part, Path partUrl, String sha256, Reporter rep) {
        Response r = first;
        int resumes = 0;
        String why = null;
        while (true) {
            try {
                if (r == null) {
                    if (resumes++ >= RESUMES) {
                        rep.failed("the download of " + uri + " stopped at " + rep.done()
                                + (rep.total() != null ? " of " + rep.total() : "") + " bytes (" + why
                                + "); import the same URL again to continue it");
                        return;
                    }
                    long have = Files.exists(part) ? Files.size(part) : 0;
                    LOG.info("the download of " + uri + " broke off at " + have + " bytes (" + why + "); continuing it,"
                            + " attempt " + resumes + " of " + RESUMES);
                    r = request(uri, have);
                }
                MessageDigest digest = MediaLibrary.sha256();
                long done = r.start();
                MediaLibrary.digest(part, done, digest);
                try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        done == 0 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND)) {
                    done = copy(r.response().body(), out, digest, done, rep);
                }
                if (r.total() != null && done != r.total()) {
                    throw new IOException("the connection ended after " + done + " of " + r.total() + " bytes");
                }
                finish(part, partUrl, sha256, MediaLibrary.hex(digest.digest()), rep, uri.toString());
                return;
            } catch (WriteFailed e) {
                rep.failed("cannot write " + part + ": " + e.getMessage() + "; the " + rep.done() + " bytes downloaded"
                        + " are kept: make room and import the same URL again to continue");
                return;
            } catch (IOException | RpcException e) {
                why = describe(e);
                r = null;
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "the download of " + uri + " failed", e);
                rep.failed("the download of " + uri + " failed: " + e);
                return;
            }
        }
    }

    // ---- from a stick ----

    private Job fromStick(MediaImport params, String sha256, Consumer<MediaProgress> progress) throws RpcException {
        if (params.usbDevice() == null || params.usbDevice().isBlank()) {
            throw RpcException.invalidParam(MediaImport.USB_DEVICE, "usbDevice must be the stick's partition, like /dev/sdb1"
                    + " (media.usb.list names them)");
        }
        String file = params.usbFile();
        if (file == null || file.isBlank() || !file.toLowerCase(Locale.ROOT).endsWith(".iso")) {
            throw RpcException.invalidParam(MediaImport.USB_FILE, "usbFile must be an .iso file on the stick, as"
                    + " media.usb.list names it, not '" + file + "'");
        }
        Path relative;
        try {
            relative = Path.of(file.replaceFirst("^/+", ""));
        } catch (java.nio.file.InvalidPathException e) {
            throw RpcException.invalidParam(MediaImport.USB_FILE, "usbFile is no path: " + e.getMessage());
        }
        for (Path p : relative) {
            if (p.toString().equals("..")) {
                throw RpcException.invalidParam(MediaImport.USB_FILE, "usbFile must stay inside the stick, not '" + file + "'");
            }
        }
        UsbSticks.Partition partition = usb.partition(params.usbDevice());
        String name = params.name() != null ? params.name() : MediaLibrary.nameFrom(relative.getFileName().toString());
        library.reserve(name, params.name() != null ? MediaImport.NAME : MediaImport.USB_FILE);
        UsbSticks.Mounted mounted = null;
        try {
            mounted = usb.mount(partition.device());
            Path source = mounted.file(relative.toString());
            long size = Files.size(source);
            library.checkSpace(size, name);
            UsbSticks.Mounted m = mounted;
            String id = UUID.randomUUID().toString();
            return new Job() {
                @Override
                public MediaImportStarted started() {
                    return new MediaImportStarted(id, name, size);
                }

                @Override
                public void start() {
                    background(name, () -> {
                        Reporter rep = new Reporter(id, name, size, progress);
                        rep.holdEnd(); // done or failed only once the stick is unmounted and may be pulled out
                        try (m) {
                            runCopy(source, partition.device() + ":" + relative, library.part(name), sha256, rep);
                        } finally {
                            library.release(name);
                            rep.releaseEnd();
                        }
                    });
                }
            };
        } catch (RpcException | IOException | RuntimeException e) {
            if (mounted != null) {
                mounted.close();
            }
            library.release(name);
            if (e instanceof RpcException re) {
                throw re;
            }
            throw new RpcException(ErrorCode.BACKEND_FAILED, "cannot read " + relative + " on " + partition.device() + ": "
                    + e.getMessage());
        }
    }

    private void runCopy(Path source, String what, Path part, String sha256, Reporter rep) {
        MessageDigest digest = MediaLibrary.sha256();
        try (InputStream in = Files.newInputStream(source);
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(in, out, digest, 0, rep);
        } catch (IOException e) {
            deleteQuietly(part);
            rep.failed("the copy of " + what + " failed at " + rep.done() + " bytes: " + describe(e) + "; nothing was kept");
            return;
        }
        finish(part, null, sha256, MediaLibrary.hex(digest.digest()), rep, what);
    }

    // ---- shared ----

    /** Checks the whole copy's checksum and makes it a medium; a wrong one deletes the copy. */
    private void finish(Path part, Path partUrl, String expected, String actual, Reporter rep, String source) {
        rep.checking();
        try {
            if (expected != null && !expected.equals(actual)) {
                deleteQuietly(part);
                if (partUrl != null) {
                    deleteQuietly(partUrl);
                }
                rep.failed("the SHA-256 of " + source + " is " + actual + ", not " + expected
                        + " as given; the copy was deleted and nothing was added");
                return;
            }
            library.publish(rep.name, part, actual);
            if (partUrl != null) {
                deleteQuietly(partUrl);
            }
        } catch (IOException e) {
            deleteQuietly(part);
            rep.failed("cannot add " + rep.name + " to " + library.directory() + ": " + e.getMessage());
            return;
        }
        LOG.info("imported " + rep.name + " (" + rep.done() + " bytes, SHA-256 " + actual + ") from " + source);
        rep.send(MediaProgress.State.DONE, null);
    }

    /**
     * Copies {@code in} to {@code out} from byte {@code done} on, feeding the checksum and the
     * progress; a source that sends nothing for {@link #STALL} is closed, which breaks the copy off.
     */
    private long copy(InputStream in, OutputStream out, MessageDigest digest, long done, Reporter rep) throws IOException {
        byte[] buf = new byte[1 << 16];
        long[] lastRead = {System.nanoTime()};
        ScheduledFuture<?> watch = watchdog.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastRead[0] > STALL.toNanos()) {
                LOG.warning(rep.name + ": nothing received for " + STALL.toSeconds() + " s; breaking the download off");
                closeQuietly(in);
            }
        }, 5, 5, TimeUnit.SECONDS);
        try (in) {
            int n;
            rep.progress(done);
            while ((n = in.read(buf)) >= 0) {
                lastRead[0] = System.nanoTime();
                write(out, buf, n);
                digest.update(buf, 0, n);
                done += n;
                rep.progress(done);
            }
            write(out, buf, 0);
            return done;
        } finally {
            watch.cancel(false);
        }
    }

    /** A failure to write the library's file (a full disk): asking the source again would not help. */
    static final class WriteFailed extends IOException {
        WriteFailed(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Writes {@code n} bytes of {@code buf} (0: flushes), a failure as {@link WriteFailed}. */
    private static void write(OutputStream out, byte[] buf, int n) throws WriteFailed {
        try {
            if (n > 0) {
                out.write(buf, 0, n);
            } else {
                out.flush();
            }
        } catch (IOException e) {
            throw new WriteFailed(e);
        }
    }

    private static void background(String name, Runnable r) {
        Thread t = new Thread(r, "media-import " + name);
        t.setDaemon(true);
        t.start();
    }

    /** The progress of one import, to its caller: at most one notification per 200 ms, then the end. */
    private static final class Reporter {
        final String id;
        final String name;
        private final Consumer<MediaProgress> sink;
        private volatile Long total;
        private volatile long done;
        private long lastSent;
        private volatile boolean holding;
        private volatile MediaProgress heldEnd;

        Reporter(String id, String name, Long total, Consumer<MediaProgress> sink) {
            this.id = id;
            this.name = name;
            this.total = total;
            this.sink = sink;
        }

        long done() {
            return done;
        }

        Long total() {
            return total;
        }

        void progress(long bytes) {
            done = bytes;
            long now = System.nanoTime();
            if (lastSent == 0 || now - lastSent >= PROGRESS_NANOS) {
                lastSent = now;
                send(MediaProgress.State.COPYING, null);
            }
        }

        void checking() {
            send(MediaProgress.State.COPYING, null); // the last bytes, however soon after the previous report
            send(MediaProgress.State.CHECKING, null);
        }

        void failed(String why) {
            LOG.warning("import of " + name + " failed: " + why);
            send(MediaProgress.State.FAILED, why);
        }

        /** From now on the end (done or failed) waits for {@link #releaseEnd}. */
        void holdEnd() {
            holding = true;
        }

        void releaseEnd() {
            holding = false;
            if (heldEnd != null) {
                deliver(heldEnd);
                heldEnd = null;
            }
        }

        void send(MediaProgress.State state, String error) {
            MediaProgress p = new MediaProgress(id, name, state, done, total, error);
            if (holding && p.isFinal()) {
                heldEnd = p;
            } else {
                deliver(p);
            }
        }

        private void deliver(MediaProgress p) {
            try {
                sink.accept(p);
            } catch (RuntimeException e) {
                LOG.warning("cannot report the import of " + name + ": " + e.getMessage());
            }
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.equals("closed")) {
            return e instanceof java.io.EOFException || "closed".equals(m) ? "the connection was closed" : e.getClass().getSimpleName();
        }
        return m;
    }

    private static void closeQuietly(HttpResponse<InputStream> resp) {
        closeQuietly(resp.body());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing what is broken anyway
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warning("cannot delete " + p + ": " + e.getMessage());
        }
    }
}
