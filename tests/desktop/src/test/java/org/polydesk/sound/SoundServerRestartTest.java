package org.polydesk.sound;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.polydesk.testsupport.TestSoundServer;

/**
 * dom0's sound server dies while a VM plays and is started again: the VM is heard again without a
 * restart, and the policy holds for its new stream. This needs our device model (package
 * polydesk-device-model, built by {@code hypervisor-patches/build-device-model.sh}): Debian's QEMU
 * 7.2 connects to the server once and stays silent after it. The same binary is Xen's device model
 * on the appliance; here it runs the test guest under TCG as polydeskd's QEMU.
 *
 * <p>The binary: {@code -Dpolydesk.deviceModel=PATH}, else the installed package's (a build tree's
 * binary finds no firmware). Without one the test fails and says how to have it.
 */
@Tag("system")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SoundServerRestartTest {
    private static final double LOUD = 2000;
    private static final double SILENT = 300;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();
    private PolydeskdProcess daemon;

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

    @Test
    void aVmIsHeardAgainAfterTheSoundServerRestarts() throws Exception {
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
        awaitHeard("the VM heard at first", before, true);

        sound.kill();
        Await.until("polydeskd sees the sound server gone", 30, () -> !serverUp(), () -> "audio.status: up");
        sound.start();
        Await.until("polydeskd sees the sound server back", 30, this::serverUp, () -> "audio.status: down");

        PcmRecorder after = new PcmRecorder(sound, TestSoundServer.OUTPUT + ".monitor");
        open.add(after);
        awaitHeard("the same VM heard again through the new server, without a restart", after, true);
        AudioStatus status = rpc(ToolstackApi.AUDIO_STATUS, null);
        AudioStatus.Vm tone = status.vms().stream().filter(v -> v.id().equals(vm)).findFirst().orElseThrow();
        assertEquals(1, tone.streams(), "the device model's new stream is the VM's: " + status);
        assertTrue(tone.heard(), status.toString());
        VmStatus running = rpc(ToolstackApi.VM_LIST, null).stream()
                .filter(v -> v.definition().id().equals(vm)).findFirst().orElseThrow();
        assertTrue(running.state().isActive(), "the VM kept running: " + running);

        rpc(ToolstackApi.AUDIO_SET, new AudioChange(null, "Tone", null, true, null));
        awaitHeard("the policy holds for the new stream: muted, silent", after, false);
    }

    private boolean serverUp() {
        try {
            return rpc(ToolstackApi.AUDIO_STATUS, null).serverUp();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void awaitHeard(String what, PcmRecorder out, boolean heard) throws Exception {
        Await.until(what, 30, () -> {
            double a = out.amplitude(440);
            return heard ? a > LOUD : a < SILENT;
        }, () -> "440 Hz at " + Math.round(out.amplitude(440)) + "; polydeskd's log:\n" + daemon.logText());
    }

    private UUID createAndStart(String name, int slot, String tone) throws Exception {
        VmDefinition def = VmDefinition.builder().name(name).slot(slot).memoryMib(256)
                .kernel(TestGuest.kernel().toString()).ramdisk(TestGuest.initrd().toString())
                .cmdline(TestGuest.cmdline("404040") + " polydesk.tone=" + tone).build();
        UUID id = rpc(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(def)).definition().id();
        rpc(ToolstackApi.VM_START, new ToolstackApi.VmRef(id.toString()));
        return id;
    }

    private <P, R> R rpc(RpcMethod<P, R> method, P params) throws IOException {
        try (RpcClient c = RpcClient.connect(daemon.socket())) {
            return c.call(method, params);
        } catch (RpcClient.CallException e) {
            throw new IOException(method.name() + " refused: " + e.getMessage(), e);
        }
    }
}
