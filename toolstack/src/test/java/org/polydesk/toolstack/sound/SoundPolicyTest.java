package org.polydesk.toolstack.sound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.audio.AudioChange;
import org.polydesk.protocol.audio.AudioEvent;
import org.polydesk.protocol.audio.AudioPolicy;
import org.polydesk.protocol.audio.AudioStatus;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.Await;
import org.polydesk.testsupport.PcmRecorder;
import org.polydesk.testsupport.TestSoundServer;
import org.polydesk.testsupport.Tones;

/**
 * The audio policy against the appliance's real sound server (PipeWire, WirePlumber and
 * pipewire-pulse, started by distro's own script with this test's directories). Four programs
 * stand for four VMs' QEMUs, each known to the policy by its pid as a VM's QEMU is: two play tones
 * (440 and 880 Hz), two record the microphone. The test records dom0's output (a null sink's
 * monitor) and finds, by the strength of each frequency, only the VM in front heard under
 * 'focused', both under 'mix', a muted or quieter VM as set, and the microphone's tone (660 Hz)
 * reaching only the VM in front that may have it. The server killed and started again is
 * followed: an event each way, and new streams set at once.
 */
class SoundPolicyTest {
    private static final double LOUD = 4000;
    private static final double SILENT = 300;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<AudioEvent> events = new CopyOnWriteArrayList<>();
    private TestSoundServer server;

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    private static VmStatus vm(String name, long pid) {
        VmDefinition def = VmDefinition.builder().id(UUID.nameUUIDFromBytes(name.getBytes())).name(name).build();
        return new VmStatus(def, VmState.RUNNING, pid, null, null, null);
    }

    /**
     * A player of a tone, held until {@link #go}: a shell that becomes paplay (same pid) once told,
     * so that its pid is known to the policy before its stream appears, as a VM's QEMU pid is.
     */
    private Process play(double hz) throws Exception {
        Path wav = Tones.wav(tmp.resolve(hz + ".wav"), hz, 90);
        Process p = server.client("sh", "-c", "read go; exec paplay --client-name=vm-" + (int) hz + " " + wav);
        keep(p::destroy);
        return p;
    }

    private static void go(Process... players) throws Exception {
        for (Process p : players) {
            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
        }
    }

    private void awaitHeard(String what, PcmRecorder out, boolean hear440, boolean hear880) throws Exception {
        Await.until(what, 10, () -> {
            double a = out.amplitude(440);
            double b = out.amplitude(880);
            return (hear440 ? a > LOUD : a < SILENT) && (hear880 ? b > LOUD : b < SILENT);
        }, () -> "440 Hz at " + Math.round(out.amplitude(440)) + ", 880 Hz at " + Math.round(out.amplitude(880)));
    }

    @Test
    void onlyTheVmInFrontIsHeardUnlessMixedAndTheMicrophoneReachesOnlyTheVmInFrontThatMayHaveIt() throws Exception {
        server = keep(new TestSoundServer(tmp.resolve("sound")).start());
        PcmRecorder out = keep(new PcmRecorder(server, TestSoundServer.OUTPUT + ".monitor"));
        Process alpha = play(440);
        Process beta = play(880);
        go(alpha, beta);
        PcmRecorder gamma = keep(new PcmRecorder(server, TestSoundServer.MIC));
        PcmRecorder delta = keep(new PcmRecorder(server, TestSoundServer.MIC));
        List<VmStatus> vms = new CopyOnWriteArrayList<>(List.of(vm("alpha", alpha.pid()), vm("beta", beta.pid()),
                vm("gamma", gamma.pid()), vm("delta", delta.pid())));
        Map<String, UUID> id = Map.of("alpha", vms.get(0).definition().id(), "beta", vms.get(1).definition().id(),
                "gamma", vms.get(2).definition().id(), "delta", vms.get(3).definition().id());
        Path settings = tmp.resolve("audio.json");
        SoundPolicy policy = keep(new SoundPolicy("pactl", server.socket, settings, () -> vms));
        policy.subscribe(events::add);
        policy.start();
        Await.until("the sound server found", 10, policy::serverUp, () -> "events " + events);

        policy.focus(id.get("alpha"));
        awaitHeard("alpha alone heard while in front", out, true, false);
        policy.focus(id.get("beta"));
        awaitHeard("beta alone heard after the switch", out, false, true);
        AudioStatus status = policy.status();
        AudioStatus.Vm a = status.vms().get(0);
        assertEquals(1, a.streams());
        assertFalse(a.heard(), "alpha is not heard: " + status);
        assertTrue(status.vms().get(1).heard(), "beta is: " + status);

        policy.set(new AudioChange(AudioPolicy.MIX, null, null, null, null));
        awaitHeard("both heard in mix", out, true, true);
        policy.set(new AudioChange(null, "alpha", null, true, null));
        awaitHeard("alpha muted", out, false, true);
        policy.set(new AudioChange(null, "alpha", 50, false, null));
        Await.until("alpha at half volume (the server's 50 %: an eighth of the amplitude)", 10,
                () -> out.amplitude(440) > 1000 && out.amplitude(440) < 3500 && out.amplitude(880) > LOUD,
                () -> "440 Hz at " + Math.round(out.amplitude(440)) + ", 880 Hz at " + Math.round(out.amplitude(880)));

        // The microphone: a tone played into it reaches only the VM in front, and only if it may have it.
        keep(server.client("paplay", "-d", TestSoundServer.MIC_SINK, Tones.wav(tmp.resolve("mic.wav"), 660, 90).toString())::destroy);
        policy.set(new AudioChange(null, "gamma", null, null, true));
        policy.set(new AudioChange(null, "delta", null, null, true));
        policy.focus(id.get("gamma"));
        Await.until("gamma hears the microphone, delta not", 10, () -> gamma.amplitude(660) > LOUD && delta.amplitude(660) < SILENT,
                () -> "gamma " + Math.round(gamma.amplitude(660)) + ", delta " + Math.round(delta.amplitude(660)));
        policy.focus(id.get("delta"));
        Await.until("delta hears it once in front, gamma no longer", 10,
                () -> delta.amplitude(660) > LOUD && gamma.amplitude(660) < SILENT,
                () -> "gamma " + Math.round(gamma.amplitude(660)) + ", delta " + Math.round(delta.amplitude(660)));
        policy.set(new AudioChange(null, "delta", null, null, false));
        Await.until("delta, not allowed it, hears nothing though in front", 10, () -> delta.amplitude(660) < SILENT,
                () -> "delta " + Math.round(delta.amplitude(660)));
        assertTrue(policy.status().vms().stream().noneMatch(AudioStatus.Vm::listening), policy.status().toString());

        // Bad input: a clear error, nothing changed.
        RpcException loud = assertThrows(RpcException.class, () -> policy.set(new AudioChange(null, "alpha", 101, null, null)));
        assertEquals(ErrorCode.INVALID_PARAMS, loud.code());
        assertTrue(loud.getMessage().contains("0 to 100"), loud.getMessage());
        RpcException nobody = assertThrows(RpcException.class, () -> policy.set(new AudioChange(null, "nobody", 10, null, null)));
        assertEquals(ErrorCode.NOT_FOUND, nobody.code());
        assertThrows(RpcException.class, () -> policy.set(new AudioChange(null, null, 10, null, null)));
        assertEquals(50, policy.status().vms().get(0).volume(), "a refused change changed nothing");

        // The settings are kept: a new policy (polydeskd started again) reads them.
        try (SoundPolicy again = new SoundPolicy("pactl", server.socket, settings, () -> vms)) {
            AudioStatus kept = again.status();
            assertEquals(AudioPolicy.MIX, kept.policy());
            assertEquals(50, kept.vms().get(0).volume());
            assertTrue(kept.vms().get(2).microphone());
            assertFalse(kept.vms().get(3).microphone());
        }

        // The sound server dies and comes back: an event each way; the VMs' new streams are set.
        policy.set(new AudioChange(AudioPolicy.FOCUSED, null, null, null, null));
        policy.set(new AudioChange(null, "alpha", 100, null, null));
        policy.focus(id.get("alpha"));
        server.kill();
        Await.until("the server's loss seen", 10, () -> !policy.serverUp(), () -> "events " + events);
        assertTrue(policy.status().problem().contains("went away") || policy.status().problem().contains("nothing answers"),
                policy.status().problem());
        server = keep(new TestSoundServer(tmp.resolve("sound")).start());
        Await.until("the server found again", 10, policy::serverUp, () -> "events " + events);
        assertTrue(events.stream().anyMatch(e -> e.type() == AudioEvent.Type.SERVER_DOWN), events.toString());
        assertEquals(AudioEvent.Type.SERVER_UP, events.stream().filter(e -> e.type() != AudioEvent.Type.CHANGED)
                .reduce((x, y) -> y).orElseThrow().type(), events.toString());
        PcmRecorder out2 = keep(new PcmRecorder(server, TestSoundServer.OUTPUT + ".monitor"));
        Process alpha2 = play(440);
        Process beta2 = play(880);
        vms.set(0, vm("alpha", alpha2.pid()));
        vms.set(1, vm("beta", beta2.pid()));
        go(alpha2, beta2);
        awaitHeard("after the restart, alpha in front alone heard again", out2, true, false);
    }
}
