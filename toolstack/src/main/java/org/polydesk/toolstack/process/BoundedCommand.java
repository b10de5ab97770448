package org.polydesk.toolstack.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host command (ip, nft, pactl, xl…) to its end within a time bound, its output (stdout and
 * stderr together) read aside: a command that hangs with its output open costs the bound, never a
 * thread forever. polydeskd's one way of running a short command; each caller says what failed in
 * its own words.
 */
public final class BoundedCommand {
    /** Reads the commands' output; daemon threads, made as needed (a blocked read must not hold up another). */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "command-output");
        t.setDaemon(true);
        return t;
    });

    private BoundedCommand() {
    }

    /** What a command printed and how it ended. */
    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** The command could not be run to its end: {@link #kind()} says how, the message in words. */
    public static final class Failure extends Exception {
        public enum Kind { NOT_INSTALLED, CANNOT_START, TIMED_OUT, INTERRUPTED, IO }

        private final Kind kind;

        Failure(Kind kind, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /** Runs {@code command} with {@code input} (or nothing) on its standard input; a non-zero exit is a result, not a failure. */
    public static Result run(List<String> command, String input, Duration timeout) throws Failure {
        String shown = "`" + String.join(" ", command) + "`";
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            boolean missing = String.valueOf(e.getMessage()).contains("error=2,");
            throw new Failure(missing ? Failure.Kind.NOT_INSTALLED : Failure.Kind.CANNOT_START,
                    "cannot run " + java.nio.file.Path.of(command.get(0)).getFileName() + ": "
                            + (missing ? "it is not installed" : e.getMessage()), e);
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, READERS);
        try {
            try (OutputStream stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new Failure(Failure.Kind.TIMED_OUT, shown + " did not end within " + timeout.toSeconds() + " s", null);
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            p.destroyForcibly();
            throw new Failure(Failure.Kind.IO, shown + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new Failure(Failure.Kind.INTERRUPTED, "interrupted while running " + shown, e);
        }
    }
}
