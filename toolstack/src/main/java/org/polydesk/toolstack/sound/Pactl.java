package org.polydesk.toolstack.sound;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.toolstack.process.BoundedCommand;

/**
 * dom0's sound server through {@code pactl} (PipeWire's PulseAudio server answers it): its streams
 * read as JSON, one stream's mute and volume set. Every call names the server's socket, so no
 * environment of a user session is needed.
 */
final class Pactl {
    private static final long TIMEOUT_SECONDS = 5;

    /** A playback stream (sink input) or a recording one (source output) and who made it. */
    record Stream(Kind kind, int index, long pid, String name, boolean muted, int volume) {
    }

    enum Kind {
        PLAYBACK("sink-inputs", "sink-input"),
        RECORDING("source-outputs", "source-output");

        final String list;
        final String one;

        Kind(String list, String one) {
            this.list = list;
            this.one = one;
        }
    }

    private final String binary;
    private final String server;

    /** {@code server}: the PulseAudio socket, {@code unix:PATH}. */
    Pactl(String binary, String server) {
        this.binary = binary;
        this.server = server;
    }

    String server() {
        return server;
    }

    boolean answers() {
        try {
            run("info");
            return true;
        } catch (SoundException e) {
            return false;
        }
    }

    List<Stream> streams(Kind kind) throws SoundException {
        String json = run("-f", "json", "list", kind.list);
        List<Stream> out = new ArrayList<>();
        try {
            for (JsonNode s : Json.mapper().readTree(json.isBlank() ? "[]" : json)) {
                JsonNode p = s.path("properties");
                out.add(new Stream(kind, s.path("index").asInt(), p.path("application.process.id").asLong(-1),
                        p.path("media.name").asText(""), s.path("mute").asBoolean(), volume(s.path("volume"))));
            }
        } catch (IOException e) {
            throw new SoundException("pactl's list of " + kind.list + " is not JSON: " + e.getMessage());
        }
        return out;
    }

    /** The loudest channel, in the sound server's percent ("52%" → 52). */
    private static int volume(JsonNode channels) {
        int most = 0;
        for (JsonNode c : channels) {
            String pct = c.path("value_percent").asText("0%").replace("%", "").strip();
            try {
                most = Math.max(most, Integer.parseInt(pct));
            } catch (NumberFormatException e) {
                // a channel without a percentage counts as silent
            }
        }
        return most;
    }

    void mute(Stream s, boolean muted) throws SoundException {
        run("set-" + s.kind().one + "-mute", Integer.toString(s.index()), muted ? "1" : "0");
    }

    void volume(Stream s, int percent) throws SoundException {
        run("set-" + s.kind().one + "-volume", Integer.toString(s.index()), percent + "%");
    }

    /** {@code pactl subscribe}: one line per change in the server, until it goes away. */
    Process subscribe() throws IOException {
        return new ProcessBuilder(binary, "--server", server, "subscribe").redirectErrorStream(true).start();
    }

    private String run(String... args) throws SoundException {
        List<String> cmd = new ArrayList<>(List.of(binary, "--server", server));
        cmd.addAll(List.of(args));
        BoundedCommand.Result r;
        try {
            r = BoundedCommand.run(cmd, null, Duration.ofSeconds(TIMEOUT_SECONDS));
        } catch (BoundedCommand.Failure e) {
            throw new SoundException(e.getMessage() + (e.kind() == BoundedCommand.Failure.Kind.NOT_INSTALLED
                    ? " (package pulseaudio-utils)" : ""));
        }
        if (!r.ok()) {
            throw new SoundException("pactl " + String.join(" ", args) + " failed: " + r.output().strip());
        }
        return r.output();
    }
}
