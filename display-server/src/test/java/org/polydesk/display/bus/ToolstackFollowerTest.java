package org.polydesk.display.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.sink.PngSink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.toolstack.daemon.TestPolydeskd;
import org.polydesk.testsupport.SysfsTree;

/**
 * What the display server takes from polydeskd about a passthrough VM, over the real transport,
 * from the real polydeskd (the toolstack's TestPolydeskd in this JVM: its hypervisor the stub
 * backend, the kernel under a sysfs tree simulated) on a host whose boot GPU drives dom0's screen:
 * holding dom0's screen, the follower is asked to let go of it when a VM with that GPU starts, while
 * dom0's driver still has the card, and answers at once; it hears of the running VM's viewer
 * channel and region file; when the VM stops it is told the screen is back, then that the VM
 * stopped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ToolstackFollowerTest {
    private static final UUID VM = UUID.fromString("6f1c3a58-2f0e-4c64-9d57-1b2f3a4c5d6e");
    private static final String GPU = "0000:01:00.0";
    private static final String AUDIO = "0000:01:00.1";

    @TempDir
    Path dir;

    /** Records what the follower tells the monitor, in order, with dom0's driver of the card at that moment. */
    private static final class Recorder implements Passthrough {
        final BlockingQueue<Object> told = new LinkedBlockingQueue<>();
        final SysfsTree host;

        Recorder(SysfsTree host) {
            this.host = host;
        }

        private String driver() {
            try {
                return host.driverOf(GPU);
            } catch (java.io.IOException e) {
                return "unreadable: " + e.getMessage();
            }
        }

        @Override
        public void passthroughStarted(PassthroughVm vm) {
            told.add(vm);
        }

        @Override
        public void passthroughStopped(int slot) {
            told.add("stopped " + slot);
        }

        @Override
        public void consoleLeaving(String gpu) {
            told.add("leaving, the card with " + driver());
        }

        @Override
        public void consoleBack(String gpu) {
            told.add("back, the card with " + driver());
        }

        Object next() throws InterruptedException {
            Object o = told.poll(10, TimeUnit.SECONDS);
            assertTrue(o != null, "the follower told the monitor nothing within 10 s");
            return o;
        }
    }

    /** A host whose boot GPU (with its audio function) is amdgpu's and carries dom0's framebuffer console. */
    private static SysfsTree host(Path root) throws Exception {
        return new SysfsTree(root)
                .function("0000:00:01.0", null, 0x060400, 0x8086, 0x1901, "pcieport")
                .function(GPU, "0000:00:01.0", 0x030000, 0x1002, 0x73bf, "amdgpu")
                .function(AUDIO, "0000:00:01.0", 0x040300, 0x1002, 0xab28, "snd_hda_intel")
                .bootVga(GPU, true)
                .iommuGroup(GPU, 1)
                .iommuGroup(AUDIO, 2)
                .vtconsole("vtcon1", "(M) frame buffer device", true)
                .pciDriver("vfio-pci");
    }

    @Test
    void aPassthroughVmItsRegionFileAndTheConsoleHandOverReachTheMonitor() throws Exception {
        SysfsTree host = host(dir.resolve("sys"));
        Recorder monitor = new Recorder(host);
        DisplayServer display = new DisplayServer(new PngSink(dir.resolve("screen.png"), 64, 48, Duration.ofHours(1)),
                new IndicatorStyle(Duration.ZERO, 0), RfbConfig.defaults(), new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        try (TestPolydeskd polydeskd = TestPolydeskd.start(dir.resolve("polydesk"), "--stub-backend", "--simulated-kernel",
                     "--sysfs", host.root.toString());
             RpcClient ui = RpcClient.connect(polydeskd.socket())) {
            ui.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                    VmDefinition.builder().id(VM).name("Gaming").slot(3).memoryMib(512).gpu("01:00.0").build()));
            try (ToolstackFollower follower = new ToolstackFollower(polydeskd.socket(), new Backoff(Duration.ofMillis(50),
                    Duration.ofMillis(200)), display, monitor).start()) {
                // The follower holds dom0's screen before it applies the snapshot: once slot 3 shows, it holds.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (display.labels().stream().noneMatch(l -> l.slot() == 3)) {
                    assertTrue(System.nanoTime() < deadline, "the snapshot (Gaming, stopped) reached the display server");
                    Thread.sleep(20);
                }

                long t0 = System.nanoTime();
                VmStatus running = ui.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("Gaming"));
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(VmState.RUNNING, running.state());
                assertEquals("leaving, the card with amdgpu", monitor.next(),
                        "asked to let go of dom0's screen while dom0's driver still had the card");
                assertTrue(took < 4000, "it said console.released at once, so the start did not wait the 5 s for it ("
                        + took + " ms)");
                assertEquals("vfio-pci", host.driverOf(GPU), "the card went to the VM");
                assertEquals(List.of(GPU, AUDIO), polydeskd.stub().gpuFunctions(VM), "the stub backend got the whole card");

                Path vmDir = polydeskd.vmDir(VM);
                PassthroughVm vm = (PassthroughVm) monitor.next();
                assertEquals(new PassthroughVm(3, vmDir.resolve("viewer.sock"), null, vmDir.resolve("viewer-region"), "01:00.0"), vm,
                        "the channel, region file and GPU as polydeskd says them (no domain: the stub backend is not Xen)");
                assertNull(running.domid());
                assertEquals(vm.viewerChannel().toString(), running.sockets().viewer());
                assertTrue(Files.size(vm.ivshmemFile()) >= 64L << 20, "the region file is there, as QEMU's ivshmem makes it");

                ui.call(ToolstackApi.VM_STOP, new ToolstackApi.VmStop("Gaming", 10));
                assertEquals("back, the card with amdgpu", monitor.next(), "told once dom0's driver has the card again");
                assertEquals("stopped 3", monitor.next());
                assertEquals(VmState.STOPPED, ui.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef("Gaming")).state());
                assertTrue(monitor.told.isEmpty(), "nothing more: " + monitor.told);
            }
        } finally {
            display.close();
        }
    }
}
