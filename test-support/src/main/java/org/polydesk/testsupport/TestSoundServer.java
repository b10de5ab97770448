package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.polydesk.testsupport.TestProcesses;

/**
 * The appliance's own sound server (distro's sound-server script and WirePlumber settings), run as
 * this test's child with directories of the test's, plus a null sink as the default output (what a
 * test records from: its monitor) and a null sink whose monitor is remapped into the default
 * source, as a microphone the test plays a tone into.
 */
public final class TestSoundServer implements AutoCloseable {
    public static final String OUTPUT = "polydesk_test_out";
    public static final String MIC_SINK = "polydesk_test_mic";
    public static final String MIC = "polydesk_test_mic_in";

    public final Path socket;
    private final Path dir;
    private Process process;

    public TestSoundServer(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("run/pulse/native");
    }

    public TestSoundServer start() throws Exception {
        Path repo = Path.of(System.getProperty("polydesk.repo"));
        Path etc = repo.resolve("distro/config/includes.chroot/etc");
        Path config = dir.resolve("config");
        copyTree(etc.resolve("wireplumber"), config.resolve("wireplumber"));
        Path conf = Files.createDirectories(config.resolve("pipewire/pipewire.conf.d"));
        Files.writeString(conf.resolve("50-polydesk-test.conf"), """
                context.objects = [
                    { factory = adapter args = { factory.name = support.null-audio-sink node.name = %s
                        node.description = "test output" media.class = Audio/Sink audio.position = [ FL FR ]
                        priority.session = 2000 } }
                    { factory = adapter args = { factory.name = support.null-audio-sink node.name = %s
                        node.description = "test microphone" media.class = Audio/Sink audio.position = [ FL FR ]
                        priority.session = 100 } }
                ]
                """.formatted(OUTPUT, MIC_SINK));
        ProcessBuilder pb = new ProcessBuilder("bash", repo.resolve("distro/config/includes.chroot/usr/lib/polydesk/sound-server").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sound-server.log").toFile());
        pb.environment().put("POLYDESK_SOUND_RUN", dir.resolve("run").toString());
        pb.environment().put("POLYDESK_SOUND_STATE", dir.resolve("state").toString());
        pb.environment().put("XDG_CONFIG_HOME", config.toString());
        process = TestProcesses.start(pb);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("the sound server did not answer at " + socket + ":\n" + log());
            }
            Thread.sleep(50);
        }
        run("load-module", "module-remap-source", "master=" + MIC_SINK + ".monitor", "source_name=" + MIC);
        // The defaults live in the session manager's metadata: until WirePlumber is up, pipewire-pulse
        // answers "Not supported" (a loaded machine shows it).
        untilDone(deadline, "set-default-sink", OUTPUT);
        untilDone(deadline, "set-default-source", MIC);
        return this;
    }

    private void untilDone(long deadline, String... args) throws Exception {
        while (true) {
            try {
                run(args);
                return;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException(e.getMessage() + "\n" + log(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private boolean answers() throws InterruptedException, IOException {
        return new ProcessBuilder("pactl", "--server", "unix:" + socket, "info").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    }

    public String log() throws IOException {
        Path log = dir.resolve("sound-server.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    /** pactl against this server. */
    public String run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("pactl", "--server", "unix:" + socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** A client of this server (paplay, parec) with the given arguments, as this test's process. */
    public Process client(String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PULSE_SERVER", "unix:" + socket);
        return TestProcesses.start(pb);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Ends the server (and with it its three processes). */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
