package org.polydesk.toolstack.sound;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.rpc.Json;

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
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // Read aside: a hung server must cost the timeout, not a thread forever.
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SoundException("pactl " + String.join(" ", args) + " took over " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(out.join(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new SoundException("pactl " + String.join(" ", args) + " failed: " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new SoundException("cannot run " + binary + " (package pulseaudio-utils): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SoundException("interrupted while running pactl");
        }
    }
}
