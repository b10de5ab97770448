package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the installer's external commands (sgdisk, mkfs, mount, cp, grub-install…). */
public interface CommandRunner {
    /** What a command printed and how it ended. */
    record Result(int exit, String out, String err) {
    }

    /**
     * Runs {@code command} to its end with {@code input} (or nothing) on its standard input and
     * returns what it did; does not throw on a non-zero exit.
     */
    Result run(List<String> command, String input) throws InstallException;

    /** Runs {@code command} to its end with nothing on its standard input. */
    default Result run(List<String> command) throws InstallException {
        return run(command, null);
    }

    /** Starts {@code command} without waiting (for the long copy, whose progress is polled). */
    Process start(List<String> command) throws InstallException;

    /** Runs {@code command}; a non-zero exit becomes an InstallException saying what {@code what} was. */
    default Result check(String what, List<String> command) throws InstallException {
        return check(what, command, null);
    }

    /** {@link #check(String, List)} with {@code input} on the command's standard input (a secret, never shown). */
    default Result check(String what, List<String> command, String input) throws InstallException {
        Result r = run(command, input);
        if (r.exit() != 0) {
            throw new InstallException(what + " failed: `" + String.join(" ", command) + "` exited " + r.exit()
                    + (r.err().isBlank() ? "" : ":\n    " + lastLines(r.err(), 6).replace("\n", "\n    ")));
        }
        return r;
    }

    static String lastLines(String text, int n) {
        List<String> lines = text.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** The real thing: ProcessBuilder. */
    static CommandRunner system() {
        return new CommandRunner() {
            @Override
            public Result run(List<String> command, String input) throws InstallException {
                Process p = start(command);
                try {
                    try (var stdin = p.getOutputStream()) {
                        if (input != null) {
                            stdin.write(input.getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    var errFuture = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return p.getErrorStream().readAllBytes();
                        } catch (IOException e) {
                            return new byte[0];
                        }
                    });
                    var out = p.getInputStream().readAllBytes();
                    var err = errFuture.join();
                    if (!p.waitFor(1, TimeUnit.HOURS)) {
                        p.destroyForcibly();
                        throw new InstallException("`" + String.join(" ", command) + "` did not finish within an hour");
                    }
                    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                            new String(err, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new InstallException("`" + String.join(" ", command) + "`: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroy();
                    throw new InstallException("interrupted while running `" + String.join(" ", command) + "`", e);
                }
            }

            @Override
            public Process start(List<String> command) throws InstallException {
                try {
                    ProcessBuilder pb = new ProcessBuilder(command);
                    pb.environment().put("LC_ALL", "C");
                    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
                    return pb.start();
                } catch (IOException e) {
                    throw new InstallException("cannot run " + command.get(0) + ": " + e.getMessage()
                            + " (is it installed?)", e);
                }
            }
        };
    }
}
