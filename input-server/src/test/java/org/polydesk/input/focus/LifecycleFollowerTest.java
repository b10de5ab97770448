package org.polydesk.input.focus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.input.testing.RecordingSink;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.CrashAction;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.protocol.vm.VmState;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.protocol.focus.Head;
import org.polydesk.protocol.focus.HeadLayout;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The input server's slots follow the real polydeskd (the toolstack's TestPolydeskd in this JVM,
 * its hypervisor the stub backend): a VM running before the input server connects is in the
 * snapshot, a started one takes its slot with the QMP socket polydeskd reports, a crash (the stub
 * VM's process killed) empties the slot and the focus falls back to the control UI, and after
 * polydeskd restarts the snapshot read on reconnect drops the VM that is no longer running.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleFollowerTest {
    @TempDir
    Path tmp;

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static VmStatus create(RpcClient c, String name, int slot) throws IOException {
        return create(c, name, slot, false);
    }

    private static VmStatus create(RpcClient c, String name, int slot, boolean tablet) throws IOException {
        return c.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                VmDefinition.builder().name(name).slot(slot).memoryMib(256).onCrash(CrashAction.STOP).usbTablet(tablet).build()));
    }

    @Test
    void slotsFollowPolydeskdAndTheFocusFallsBackWhenTheFocusedVmCrashes() throws Exception {
        Path root = tmp.resolve("polydesk");
        FocusAuthority focus = new FocusAuthority(null);
        TestPolydeskd daemon = TestPolydeskd.start(root, "--stub-backend");
        try (LifecycleFollower f = new LifecycleFollower(daemon.socket(), focus,
                sockets -> new RecordingSink(sockets.qmp(), sockets.hasTablet()))) {
            UUID a;
            UUID b;
            try (RpcClient c = RpcClient.connect(daemon.socket())) {
                a = create(c, "already-running", 2, true).definition().id();
                b = create(c, "new", 4).definition().id();
                c.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("already-running"));
                f.start();
                await(() -> focus.occupied(2), "the VM running before the input server started is listed");
                assertTrue(focus.sink(2).absolute(), "the snapshot told the input server of its USB tablet");
                assertFalse(focus.occupied(4), "a stopped VM has no slot");

                VmStatus started = c.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("new"));
                await(() -> focus.occupied(4), "a started VM takes its slot");
                assertEquals(daemon.vmDir(b).resolve("qmp.sock").toString(), started.sockets().qmp());
                assertEquals(started.sockets().qmp(), ((RecordingSink) focus.sink(4)).describe().substring(10),
                        "its input goes to the QMP socket polydeskd reports");
                assertFalse(focus.sink(4).absolute(), "a VM without a USB tablet gets motion");
                create(c, "with-tablet", 5, true);
                VmStatus tablet = c.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("with-tablet"));
                assertTrue(tablet.sockets().hasTablet(), "polydeskd reports the tablet it started the VM with");
                await(() -> focus.occupied(5), "the VM with a tablet takes its slot");
                assertTrue(focus.sink(5).absolute(), "the running event told the input server of the tablet");
                // placed on a monitor in its definition: shown there as it starts
                focus.setHeads(new HeadLayout(List.of(new Head("eDP-1", 0, 0, 800, 600), new Head("HDMI-A-1", 800, 0, 800, 600))));
                c.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name("placed").slot(6)
                        .memoryMib(256).onCrash(CrashAction.STOP).monitor("HDMI-A-1").build()));
                c.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("placed"));
                await(() -> Integer.valueOf(6).equals(focus.shownOn("HDMI-A-1")), "the placed VM is shown on its monitor");
                focus.set(4, FocusChanged.Cause.REQUEST);

                assertTrue(ProcessHandle.of(started.pid()).orElseThrow().destroyForcibly(), "the VM's process is killed");
                await(() -> focus.focusedSlot() == 0, "focus falls back to the control UI");
                assertFalse(focus.occupied(4));
                assertTrue(focus.occupied(2));
                assertEquals(VmState.CRASHED, c.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(b.toString())).state());
            }
            // polydeskd restarts, and VM a did not survive it: the snapshot read on reconnect drops it.
            daemon.close();
            daemon = TestPolydeskd.start(root, "--stub-backend");
            try (RpcClient c = RpcClient.connect(daemon.socket())) {
                assertEquals(VmState.STOPPED, c.call(ToolstackApi.VM_SHOW, new ToolstackApi.VmRef(a.toString())).state());
            }
            await(() -> !focus.occupied(2), "a VM no longer running after a reconnect is gone");
        } finally {
            daemon.close();
        }
    }
}
