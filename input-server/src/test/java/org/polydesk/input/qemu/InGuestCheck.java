package org.polydesk.input.qemu;

import java.nio.file.Path;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.polydesk.input.daemon.InputService;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.testing.FakeQmp;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.focus.FocusChanged;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * Runs inside the test guest (RealDevicesInGuestTest), on the guest's real /dev/input: the input
 * server with its evdev devices grabbed, the real polydeskd (the toolstack's TestPolydeskd, its
 * hypervisor the stub backend; its classes reach the guest on the same class path) with one VM
 * in slot 1, created and started through its API, whose "QEMU" is a fake QMP server on the socket
 * polydeskd reports, and a focus bus subscriber. Everything observable goes to stdout (the
 * guest's serial): "DEVICE …" per device taken, "INPUT-READY" once a keyboard is grabbed,
 * "FOCUS slot=N cause=C" per focus change, "VM1 <events>" per input-send-event slot 1 received.
 */
public final class InGuestCheck {
    private InGuestCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path run = Path.of("/run/polydesk-test");
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                System.out.println("LOG " + r.getLevel() + " " + m);
                if (m.startsWith("device ") && m.contains("grabbed")) {
                    System.out.println("DEVICE " + m);
                    if (m.contains("(keyboard)")) {
                        System.out.println("INPUT-READY");
                    }
                }
                System.out.flush();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        TestPolydeskd daemon = TestPolydeskd.start(run.resolve("polydesk"), "--stub-backend");
        UUID one;
        try (RpcClient toolstack = RpcClient.connect(daemon.socket())) {
            one = toolstack.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(
                    VmDefinition.builder().name("one").slot(1).memoryMib(256).build())).definition().id();
            FakeQmp vm1 = new FakeQmp(daemon.vmDir(one).resolve("qmp.sock"));
            vm1.onLine((line, t) -> {
                System.out.println("VM1 " + line);
                System.out.flush();
            });
            toolstack.call(ToolstackApi.VM_START, new ToolstackApi.VmRef("one"));
        }
        InputService input = new InputService(new InputService.Settings(
                new InputConfig(InputConfig.defaultHotkeys(), 1280, 800, null), run.resolve("input.sock"),
                daemon.socket(), Path.of("/dev/input"), true, false));
        while (!input.focus().occupied(1)) {
            Thread.sleep(50);
        }
        try (RpcClient bus = RpcClient.connect(run.resolve("input.sock"))) {
            bus.call(FocusBus.SUBSCRIBE, null);
            System.out.println("BUS-READY");
            System.out.flush();
            RpcMessage m;
            while ((m = bus.nextNotification()) != null) {
                FocusChanged c = Json.mapper().treeToValue(m.params(), FocusChanged.class);
                System.out.println("FOCUS slot=" + c.slot() + " cause=" + c.cause().name().toLowerCase());
                System.out.flush();
            }
        }
    }
}
