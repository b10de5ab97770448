package org.polydesk.toolstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.rpc.Json;
import picocli.CommandLine;

/** Runs polyctl in-process against a daemon's socket, as a person would from a shell. */
public final class PolyctlRunner {
    private final Path socket;

    /** What one polyctl run printed and returned. */
    public record Run(int exit, String out, String err) {
    }

    public PolyctlRunner(Path socket) {
        this.socket = socket;
    }

    public Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--socket=" + socket);
        String[] line = all.toArray(String[]::new);
        // As main does: only the group the line names is built.
        CommandLine cl = Polyctl.commandLine(line);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(line);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs with --json and returns the parsed answer; fails if polyctl did. */
    public JsonNode json(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        Run r = run(all.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new AssertionError("polyctl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.err());
        }
        return Json.mapper().readTree(r.out());
    }
}
