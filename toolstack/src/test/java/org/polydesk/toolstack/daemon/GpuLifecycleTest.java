package org.polydesk.toolstack.daemon;

import org.polydesk.protocol.rpc.RpcException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.vm.CrashAction;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.toolstack.backend.BackendException;
import org.polydesk.toolstack.backend.HypervisorBackend;
import org.polydesk.toolstack.backend.RunningVm;
import org.polydesk.toolstack.definition.VmStore;
import org.polydesk.toolstack.gpu.HandoverStore;
import org.polydesk.toolstack.gpu.PciIds;
import org.polydesk.toolstack.gpu.SimulatedKernel;
import org.polydesk.toolstack.gpu.SysfsPci;
import org.polydesk.testsupport.SysfsTree;

/**
 * A VM with the boot GPU through polydeskd's VM manager: the card (and dom0's console) is taken
 * before the backend starts the VM and is back before anyone hears that the VM stopped, crashed or
 * failed to start; a daemon restart keeps a running VM's card and gives back a dead one's.
 */
class GpuLifecycleTest {
    private static final String GPU = "0000:01:00.0";
    private static final String AUDIO = "0000:01:00.1";

    @TempDir
    Path tmp;
    SysfsTree tree;
    SimulatedKernel kernel;
    TestBackend backend;
    final List<String> seen = new CopyOnWriteArrayList<>();

    /** A hypervisor that starts nothing: it records what it is given, and ends VMs when told. */
    static final class TestBackend implements HypervisorBackend {
        ExitListener listener;
        final List<String> started = new ArrayList<>();
        final List<UUID> stillRunning = new ArrayList<>();
        String failStart;

        @Override public String name() { return "test"; }
        @Override public String version() { return "1"; }
        @Override public String accelerator() { return "none"; }

        @Override
        public RunningVm start(VmDefinition def, List<String> gpuFunctions) throws BackendException {
            if (failStart != null) {
                throw new BackendException(failStart);
            }
            started.add(def.name() + " " + gpuFunctions);
            return new RunningVm(def.id(), 1L, null, null);
        }

        @Override
        public void stop(UUID id, Duration timeout) {
            listener.exited(id, ExitReason.SHUTDOWN, "the guest powered off");
        }

        @Override
        public void destroy(UUID id) {
            listener.exited(id, ExitReason.DESTROYED, "destroyed on request");
        }

        @Override
        public List<RunningVm> recover(Collection<VmDefinition> defs, Map<UUID, List<String>> gpuFunctions) {
            return defs.stream().filter(d -> stillRunning.contains(d.id())).map(d -> new RunningVm(d.id(), 1L, null, null)).toList();
        }

        @Override public void pause(UUID id) throws BackendException { throw unused(); }
        @Override public void unpause(UUID id) throws BackendException { throw unused(); }
        @Override public String reboot(UUID id, Duration timeout) throws BackendException { throw unused(); }
        @Override public void saveState(UUID id, Path image) throws BackendException { throw unused(); }
        @Override public void endSaved(UUID id) throws BackendException { throw unused(); }
        @Override public RunningVm restore(VmDefinition def, List<String> gpu, Path image) throws BackendException { throw unused(); }
        @Override public void insertCd(UUID id, int disk, Path medium) throws BackendException { throw unused(); }
        @Override public void ejectCd(UUID id, int disk) throws BackendException { throw unused(); }

        private static BackendException unused() {
            return new BackendException("not part of the GPU hand-over");
        }

        @Override public String passthroughDriver() { return "pciback"; }
        @Override public void releasePci(String address) { }
        @Override public void close() { }
    }

    @BeforeEach
    void host() throws IOException {
        tree = new SysfsTree(tmp.resolve("sys"));
        tree.function("0000:00:01.0", null, 0x060400, 0x8086, 0x1901, "pcieport")
                .function(GPU, "0000:00:01.0", 0x030000, 0x1002, 0x73bf, "amdgpu")
                .function(AUDIO, "0000:00:01.0", 0x040300, 0x1002, 0xab28, "snd_hda_intel")
                .bootVga(GPU, true)
                .vtconsole("vtcon1", "(M) frame buffer device", true)
                .pciDriver("pciback");
        kernel = new SimulatedKernel(tree);
        backend = new TestBackend();
    }

    private VmManager daemon() throws Exception {
        EventBus events = new EventBus();
        // What a subscriber can see of the host at the moment each event arrives.
        events.subscribe(e -> {
            try {
                seen.add(e.type().wireName() + " gpu=" + e.gpu() + " driver=" + tree.driverOf(GPU)
                        + " vtcon1=" + tree.read("class/vtconsole/vtcon1/bind"));
            } catch (IOException x) {
                throw new RuntimeException(x);
            }
        });
        VmManager m = new VmManager(new VmStore(tmp.resolve("vms")), events, l -> {
            backend.listener = l;
            return backend;
        }, kernel, new SysfsPci(kernel.pciDevices(), PciIds.load(tmp.resolve("none"))), new HandoverStore(tmp.resolve("run/gpu")),
                org.polydesk.toolstack.gpu.ConsoleUsers.NONE);
        m.load();
        return m;
    }

    private static VmDefinition gaming() {
        return VmDefinition.builder().name("Gaming").memoryMib(4096).gpu("01:00.0").build();
    }

    @Test
    void theCardAndTheConsoleGoWithTheVmAndAreBackBeforeItsStopIsAnnounced() throws Exception {
        VmManager m = daemon();
        m.create(gaming());
        seen.clear();

        m.start("Gaming");
        assertEquals(List.of("Gaming [" + GPU + ", " + AUDIO + "]"), backend.started, "the backend gets the whole card");
        LifecycleEvent.Gpu gpu = new LifecycleEvent.Gpu(GPU, List.of(GPU, AUDIO), true);
        assertEquals(List.of("starting gpu=null driver=amdgpu vtcon1=1", "running gpu=" + gpu + " driver=pciback vtcon1=0"),
                seen, "when 'running' arrives, the card is pciback's and dom0's console is off it");

        m.stop("Gaming", Duration.ofSeconds(5)); // answers at once; the worker stops it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("stopping gpu=null driver=pciback vtcon1=0", seen.get(2));
        assertEquals("stopped gpu=" + gpu + " driver=amdgpu vtcon1=1", seen.get(3),
                "when 'stopped' arrives, amdgpu has the card and the console is back");
        assertEquals("snd_hda_intel", tree.driverOf(AUDIO));
    }

    @Test
    void aCrashGivesTheCardBackToo() throws Exception {
        VmManager m = daemon();
        VmDefinition def = m.create(gaming().toBuilder().onCrash(CrashAction.STOP).build()).definition();
        m.start("Gaming");
        seen.clear();

        backend.listener.exited(def.id(), HypervisorBackend.ExitReason.CRASHED, "the guest crashed");

        assertEquals(List.of("crashed gpu=" + new LifecycleEvent.Gpu(GPU, List.of(GPU, AUDIO), true)
                + " driver=amdgpu vtcon1=1"), seen);
        assertEquals(VmState.CRASHED, m.show("Gaming").state());
    }

    /**
     * A VM its backend made anew (a reboot on Xen: a new domain and device model) is shown with its new
     * ids: the sound policy finds its streams by the device model's pid, the viewer by its domain.
     */
    @Test
    void aVmMadeAnewIsKnownByItsNewIds() throws Exception {
        VmManager m = daemon();
        VmDefinition def = m.create(gaming()).definition();
        m.start("Gaming");
        assertEquals(1L, m.show("Gaming").pid());

        backend.listener.remade(def.id(), new RunningVm(def.id(), 4242L, 17, null));

        assertEquals(VmState.RUNNING, m.show("Gaming").state());
        assertEquals(4242L, m.show("Gaming").pid());
        assertEquals(17, m.show("Gaming").domid());
    }

    @Test
    void aStartTheHypervisorRefusesGivesTheCardBackAndSaysWhy() throws Exception {
        VmManager m = daemon();
        m.create(gaming());
        seen.clear();
        backend.failStart = "passthrough not supported on this platform";

        RpcException e = assertThrows(RpcException.class, () -> m.start("Gaming"));
        assertEquals("passthrough not supported on this platform", e.getMessage());
        assertEquals(List.of("starting gpu=null driver=amdgpu vtcon1=1", "stopped gpu=null driver=amdgpu vtcon1=1"), seen,
                "nothing ran: no running event");
        assertEquals("amdgpu", tree.driverOf(GPU));
        assertEquals("1", tree.read("class/vtconsole/vtcon1/bind"));
        assertEquals(VmState.STOPPED, m.show("Gaming").state());
        assertTrue(m.show("Gaming").detail().startsWith("start failed: passthrough not supported"), m.show("Gaming").detail());
    }

    @Test
    void aCardThatCannotBeTakenStopsTheStartBeforeTheHypervisorIsAsked() throws Exception {
        VmManager m = daemon();
        m.create(gaming());
        try (var files = Files.walk(tree.root.resolve("bus/pci/drivers/pciback"))) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p); // xen-pciback is not loaded
            }
        }

        RpcException e = assertThrows(RpcException.class, () -> m.start("Gaming"));
        assertEquals("cannot take GPU 01:00.0 from dom0: the pciback driver is not loaded (modprobe xen-pciback)", e.getMessage());
        assertEquals(List.of(), backend.started);
        assertEquals("amdgpu", tree.driverOf(GPU));
    }

    @Test
    void aRestartedDaemonKeepsARunningVmsCardAndGivesBackADeadOnes() throws Exception {
        VmManager first = daemon();
        VmDefinition def = first.create(gaming()).definition();
        first.start("Gaming");
        first.close(); // polydeskd goes away; the VM runs on

        backend.stillRunning.add(def.id());
        VmManager second = daemon();
        assertEquals(VmState.RUNNING, second.show("Gaming").state());
        assertEquals("pciback", tree.driverOf(GPU), "the running VM keeps its card");
        second.close();

        backend.stillRunning.clear(); // the VM died while no daemon watched
        VmManager third = daemon();
        assertEquals(VmState.STOPPED, third.show("Gaming").state());
        assertEquals("amdgpu", tree.driverOf(GPU));
        assertEquals("snd_hda_intel", tree.driverOf(AUDIO));
        assertEquals("1", tree.read("class/vtconsole/vtcon1/bind"));
        assertNull(new HandoverStore(tmp.resolve("run/gpu")).all().stream().findFirst().orElse(null));
    }
}
