package org.polydesk.toolstack.sound;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.testsupport.TestProcesses;
import org.polydesk.testsupport.TestSoundServer;
import org.polydesk.testsupport.Tones;

/**
 * Issue 22's figure: how long a focus change takes to be applied to the VMs' streams (the policy
 * mutes one and unmutes the other through pactl, from the streams it keeps, and returns when the
 * sound server has done it), p50 and p99, against the baseline of one bare pactl mute of one
 * stream measured in the same run on the same server. Two players stand for two VMs' QEMUs. Run by
 * toolstack/sound-bench.sh.
 */
public final class SoundBenchmark {
    private SoundBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path dir = Files.createTempDirectory("polydesk-sound-bench");
        try (TestSoundServer server = new TestSoundServer(dir.resolve("sound")).start()) {
            Process a = server.client("paplay", Tones.wav(dir.resolve("a.wav"), 440, 60).toString());
            Process b = server.client("paplay", Tones.wav(dir.resolve("b.wav"), 880, 60).toString());
            List<VmStatus> vms = List.of(vm("a", a.pid()), vm("b", b.pid()));
            Pactl pactl = new Pactl("pactl", "unix:" + server.socket);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pactl.streams(Pactl.Kind.PLAYBACK).size() < 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the players' streams did not appear");
                }
                Thread.sleep(20);
            }
            double[] bare = new double[rounds];
            Pactl.Stream s = pactl.streams(Pactl.Kind.PLAYBACK).get(0);
            for (int i = 0; i < rounds; i++) {
                long t = System.nanoTime();
                pactl.mute(s, i % 2 == 0);
                bare[i] = (System.nanoTime() - t) / 1e6;
            }
            double[] switches = new double[rounds];
            try (SoundPolicy policy = new SoundPolicy("pactl", server.socket, dir.resolve("audio.json"), () -> vms).start()) {
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!policy.serverUp()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the policy did not find the sound server");
                    }
                    Thread.sleep(20);
                }
                for (int i = 0; i < rounds; i++) {
                    long t = System.nanoTime();
                    policy.focus(vms.get(i % 2).definition().id());
                    switches[i] = (System.nanoTime() - t) / 1e6;
                }
            }
            a.destroy();
            b.destroy();
            report("one bare pactl mute (baseline)", bare, null);
            report("focus change applied (one stream muted, the other unmuted)", switches, bare);
        } finally {
            TestProcesses.killAll();
        }
    }

    private static VmStatus vm(String name, long pid) {
        return new VmStatus(VmDefinition.builder().id(UUID.nameUUIDFromBytes(name.getBytes())).name(name).build(),
                VmState.RUNNING, pid, null, null, null);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static void report(String what, double[] ms, double[] baseline) {
        double[] s = ms.clone();
        Arrays.sort(s);
        String ratio = "";
        if (baseline != null) {
            double[] b = baseline.clone();
            Arrays.sort(b);
            ratio = String.format("  (p50 %.2f x, p99 %.2f x the baseline)", pct(s, 50) / pct(b, 50), pct(s, 99) / pct(b, 99));
        }
        System.out.printf("%-70s p50 %6.1f ms  p99 %6.1f ms  over %d%s%n", what, pct(s, 50), pct(s, 99), s.length, ratio);
    }
}
