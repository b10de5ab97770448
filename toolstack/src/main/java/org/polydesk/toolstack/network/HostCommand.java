package org.polydesk.toolstack.network;

import java.time.Duration;
import java.util.List;
import org.polydesk.toolstack.process.BoundedCommand;

/** Runs ip, nft and sysctl-like steps as child processes, each bounded in time. */
final class HostCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
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
        try {
            BoundedCommand.Result r = BoundedCommand.run(command, input, TIMEOUT);
            return new Result(r.exit(), r.output().strip());
        } catch (BoundedCommand.Failure e) {
            String tool = java.nio.file.Path.of(command.get(0)).getFileName().toString();
            throw new NetworkException(e.getMessage() + (e.kind() == BoundedCommand.Failure.Kind.NOT_INSTALLED
                    ? PACKAGES.getOrDefault(tool, "") : ""), e);
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
