package org.polydesk.sound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.audio.AudioChange;
import org.polydesk.protocol.audio.AudioPolicy;
import org.polydesk.protocol.audio.AudioStatus;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.Await;
import org.polydesk.testsupport.PcmRecorder;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.testsupport.TestProcesses;
import org.polydesk.testsupport.TestSoundServer;
import org.polydesk.testsupport.Tones;

/**
 * Sound, end to end on the QEMU backend: the image's sound server (distro's script, as this test's
 * child), polydeskd told to use it, the input server owning the focus, and two test guests whose HD
 * Audio cards play 440 Hz and 880 Hz through ALSA. The test records dom0's output (a null sink's
 * monitor) and finds by the strength of each frequency only 440 Hz while the first guest is in
 * front, only 880 Hz after focus.set moves to the second, both with the policy 'mix', and the
 * first gone again when muted. A tone played into dom0's microphone then reaches only the guest in
 * front, by what each guest's card records, and none that may not have it.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SoundTest {
    private static final double LOUD = 2000;
    private static final double SILENT = 300;
    /** A guest's input level (mean magnitude of its 16-bit samples): the half-scale tone is about 10400. */
    private static final int HEARD_LEVEL = 2000;
    private static final int SILENT_LEVEL = 300;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();
    private PolydeskdProcess daemon;

    /**
     * Ends what this test started: its VMs (through polydeskd, which leaves them running when it
     * stops), then the rest. Not TestProcesses.killAll: this JVM's other tests keep processes of
     * theirs (DesktopTest's Xvnc, which the JVM's JavaFX is connected to).
     */
    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            for (VmStatus vm : rpc(ToolstackApi.VM_LIST, null)) {
                if (vm.state().isActive()) {
                    rpc(ToolstackApi.VM_DESTROY, new ToolstackApi.VmRef(vm.definition().id().toString()));
                }
            }
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void theVmInFrontIsHeardAndMixPlaysBoth() throws Exception {
        TestSoundServer sound = new TestSoundServer(tmp.resolve("sound")).start();
        open.add(sound);
        daemon = PolydeskdProcess.start(tmp.resolve("polydesk"), "--sound-server", sound.socket.toString());
        open.add(daemon);
        Path inputSocket = daemon.runDir().resolve("input.sock");
        service("input", "org.polydesk.input.daemon.PolydeskInput", "--no-devices", "--socket", inputSocket.toString(),
                "--daemon-socket", daemon.socket().toString());

        UUID low = createAndStart("Low", 1, "440");
        UUID high = createAndStart("High", 2, "880");
        for (UUID vm : List.of(low, high)) {
            TestGuest.awaitConsole(consoleOf(vm), "POLYDESK-TONE PLAYING", 180);
        }
        PcmRecorder out = new PcmRecorder(sound, TestSoundServer.OUTPUT + ".monitor");
        open.add(out);

        awaitInput(inputSocket);
        rpc(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef("Low"));
        awaitHeard("only Low (440 Hz) heard while it is in front", out, true, false);
        rpc(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef("High"));
        awaitHeard("only High (880 Hz) heard after the switch", out, false, true);
        AudioStatus status = rpc(ToolstackApi.AUDIO_STATUS, null);
        assertTrue(status.serverUp(), status.toString());
        assertEquals(high, status.focused());
        AudioStatus.Vm lowStatus = status.vms().stream().filter(v -> v.id().equals(low)).findFirst().orElseThrow();
        assertEquals(1, lowStatus.streams(), "Low's QEMU has its stream in dom0's sound server: " + status);
        assertFalse(lowStatus.heard(), status.toString());

        rpc(ToolstackApi.AUDIO_SET, new AudioChange(AudioPolicy.MIX, null, null, null, null));
        awaitHeard("both heard in mix", out, true, true);
        rpc(ToolstackApi.AUDIO_SET, new AudioChange(null, "Low", null, true, null));
        awaitHeard("Low muted, High heard", out, false, true);

        // The microphone: a tone played into dom0's source reaches only the guest in front, and
        // only while it may have it; each guest prints how loud its card's input is.
        Process mic = sound.client("paplay", "-d", TestSoundServer.MIC_SINK,
                Tones.wav(tmp.resolve("mic.wav"), 660, 120).toString());
        open.add(mic::destroy);
        rpc(ToolstackApi.AUDIO_SET, new AudioChange(null, "Low", null, null, true));
        rpc(ToolstackApi.AUDIO_SET, new AudioChange(null, "High", null, null, true));
        rpc(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef("Low"));
        awaitListening("Low, in front, hears the microphone; High does not", low, high);
        rpc(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef("High"));
        awaitListening("High hears it once in front; Low no longer", high, low);
        rpc(ToolstackApi.AUDIO_SET, new AudioChange(null, "High", null, null, false));
        Await.until("High, no longer allowed it, hears nothing though in front", 30, () -> level(high) < SILENT_LEVEL,
                () -> "High's input level " + level(high));
    }

    /**
     * dom0's sound server dies while a VM plays and is started again: the VM is heard again without
     * a restart, and the policy holds for its new stream. This needs our device model (package
     * polydesk-device-model, from {@code hypervisor-patches/build-device-model.sh}): Debian's QEMU 7.2
     * connects to the server once and stays silent after it (with it as {@code
     * -Dpolydesk.deviceModel} this test fails). The same binary is Xen's device model on the
     * appliance; here it runs the test guest under TCG as polydeskd's QEMU. System: it needs the
     * package installed ({@code -Dpolydesk.deviceModel=PATH} names another binary).
     */
    @Test
    @Tag("system")
    void aVmIsHeardAgainAfterTheSoundServerRestartsAfterTheSoundServerRestarts() throws Exception {
        Path qemu = deviceModel();
        TestSoundServer sound = new TestSoundServer(tmp.resolve("sound")).start();
        open.add(sound);
        daemon = PolydeskdProcess.start(tmp.resolve("polydesk"), "--sound-server", sound.socket.toString(),
                "--qemu", qemu.toString());
        open.add(daemon);
        // No input server here, so no VM is in front: mix, so that the VM is heard.
        rpc(ToolstackApi.AUDIO_SET, new AudioChange(AudioPolicy.MIX, null, null, null, null));

        UUID vm = createAndStart("Tone", 1, "440");
        Path console = Paths.vmDir(daemon.runDir(), vm).resolve("console.log");
        TestGuest.awaitConsole(console, "POLYDESK-TONE PLAYING", 180);
        PcmRecorder before = new PcmRecorder(sound, TestSoundServer.OUTPUT + ".monitor");
        open.add(before);
        awaitHeard("the VM heard at first", before, true, false);

        sound.kill();
        Await.until("polydeskd sees the sound server gone", 30, () -> !serverUp(), () -> "audio.status: up");
        sound.start();
        Await.until("polydeskd sees the sound server back", 30, this::serverUp, () -> "audio.status: down");

        PcmRecorder after = new PcmRecorder(sound, TestSoundServer.OUTPUT + ".monitor");
        open.add(after);
        awaitHeard("the same VM heard again through the new server, without a restart", after, true, false);
        AudioStatus status = rpc(ToolstackApi.AUDIO_STATUS, null);
        AudioStatus.Vm tone = status.vms().stream().filter(v -> v.id().equals(vm)).findFirst().orElseThrow();
        assertEquals(1, tone.streams(), "the device model's new stream is the VM's: " + status);
        assertTrue(tone.heard(), status.toString());
        VmStatus running = rpc(ToolstackApi.VM_LIST, null).stream()
                .filter(v -> v.definition().id().equals(vm)).findFirst().orElseThrow();
        assertTrue(running.state().isActive(), "the VM kept running: " + running);

        rpc(ToolstackApi.AUDIO_SET, new AudioChange(null, "Tone", null, true, null));
        awaitHeard("the policy holds for the new stream: muted, silent", after, false, false);
    }

    static Path deviceModel() {
        String given = System.getProperty("polydesk.deviceModel");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Path installed = Path.of("/usr/lib/polydesk/qemu/qemu-system-x86_64");
        if (Files.isExecutable(installed)) {
            return installed;
        }
        throw new AssertionError("no Polydesk device model: build it with 'sudo bash hypervisor-patches/build-device-model.sh',"
                + " install hypervisor-patches/out/device-model/*.deb, or name one with -Dpolydesk.deviceModel=PATH");
    }

    private boolean serverUp() {
        try {
            return rpc(ToolstackApi.AUDIO_STATUS, null).serverUp();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void awaitListening(String what, UUID hears, UUID deaf) throws Exception {
        Await.until(what, 30, () -> level(hears) > HEARD_LEVEL && level(deaf) < SILENT_LEVEL,
                () -> "input level of the one that should hear " + level(hears) + ", of the other " + level(deaf)
                        + "; its console's sound lines: " + soundLines(hears));
    }

    private String soundLines(UUID vm) {
        try {
            return String.join(" | ", Files.readString(consoleOf(vm), java.nio.charset.StandardCharsets.ISO_8859_1).lines()
                    .filter(l -> l.contains("POLYDESK-LISTEN") || l.contains("POLYDESK-TONE")).limit(5).toList());
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The last input level the guest printed (-1 before any). */
    private int level(UUID vm) {
        try {
            String console = Files.readString(consoleOf(vm), java.nio.charset.StandardCharsets.ISO_8859_1);
            int at = console.lastIndexOf("POLYDESK-LISTEN LEVEL ");
            if (at < 0) {
                return -1;
            }
            String rest = console.substring(at + "POLYDESK-LISTEN LEVEL ".length()).lines().findFirst().orElse("").strip();
            return rest.matches("\\d+") ? Integer.parseInt(rest) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private void awaitInput(Path socket) throws Exception {
        Await.until("the input server's focus bus", 60, () -> {
            try (RpcClient c = RpcClient.connect(socket)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, () -> "no " + socket);
    }

    private void awaitHeard(String what, PcmRecorder out, boolean hear440, boolean hear880) throws Exception {
        Await.until(what, 20, () -> {
            double a = out.amplitude(440);
            double b = out.amplitude(880);
            return (hear440 ? a > LOUD : a < SILENT) && (hear880 ? b > LOUD : b < SILENT);
        }, () -> "440 Hz at " + Math.round(out.amplitude(440)) + ", 880 Hz at " + Math.round(out.amplitude(880))
                + "; polydeskd's log:\n" + daemon.logText());
    }

    private Path consoleOf(UUID vm) {
        return Paths.vmDir(daemon.runDir(), vm).resolve("console.log");
    }

    private UUID createAndStart(String name, int slot, String tone) throws Exception {
        VmDefinition def = VmDefinition.builder().name(name).slot(slot).memoryMib(256)
                .kernel(TestGuest.kernel().toString()).ramdisk(TestGuest.initrd().toString())
                .cmdline(TestGuest.cmdline("404040") + " polydesk.tone=" + tone + " polydesk.listen=1").build();
        UUID id = rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(def)).definition().id();
        rpc(ToolstackApi.VM_START, new ToolstackApi.VmRef(id.toString()));
        return id;
    }

    private void service(String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = TestProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile()));
        open.add(() -> {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        });
    }

    private <P, R> R rpc(RpcMethod<P, R> method, P params) throws IOException {
        try (RpcClient c = RpcClient.connect(daemon.socket())) {
            return c.call(method, params);
        } catch (RpcClient.CallException e) {
            throw new IOException(method.name() + " refused: " + e.getMessage(), e);
        }
    }
}
