package org.polydesk.toolstack.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ip, nft and sysctl-like steps as child processes, each bounded in time. */
final class HostCommand {
    private static final long TIMEOUT_SECONDS = 30;
    /** Where each tool comes from, said when it is missing. */
    private static final java.util.Map<String, String> PACKAGES = java.util.Map.of("ip", " (package iproute2)",
            "nft", " (package nftables)", "dnsmasq", " (package dnsmasq-base)", "nmcli", " (package network-manager)",
            "sysctl", " (package procps)");

    private HostCommand() {
    }

    /** What a command printed (stdout and stderr together) and how it ended. */
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    static Result run(List<String> command, String input) throws NetworkException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            String tool = java.nio.file.Path.of(command.get(0)).getFileName().toString();
            String why = String.valueOf(e.getMessage()).contains("error=2,") ? "it is not installed" : e.getMessage();
            throw new NetworkException("cannot run " + tool + ": " + why + PACKAGES.getOrDefault(tool, ""), e);
        }
        try {
            try (var stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NetworkException("`" + String.join(" ", command) + "` did not end within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new NetworkException("`" + String.join(" ", command) + "` failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new NetworkException("interrupted while running `" + String.join(" ", command) + "`");
        }
    }

    /** Runs {@code command}; a non-zero exit is a NetworkException saying what {@code what} was. */
    static String check(String what, List<String> command, String input) throws NetworkException {
        Result r = run(command, input);
        if (!r.ok()) {
            throw new NetworkException(what + ": `" + String.join(" ", command) + "` exited " + r.exit()
                    + (r.output().isEmpty() ? "" : ": " + r.output()));
        }
        return r.output();
    }

    static String check(String what, List<String> command) throws NetworkException {
        return check(what, command, null);
    }
}
