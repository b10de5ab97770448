package org.polydesk.usb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.usb.UsbDevice;
import org.polydesk.protocol.usb.UsbEvent;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.Await;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestProcesses;

/**
 * Runs inside the Linux test guest of {@link UsbTest}, as root, on a machine with real (emulated)
 * USB devices on its own xHCI: QEMU's usb-storage stick (serial STICK1) and usb-kbd. udevd (as in
 * dom0: QEMU's libusb learns of plugged devices from it), a real polydeskd on the QEMU backend and
 * the input server run here; polydeskd runs a nested test guest ("Nested") that prints the USB
 * devices its own kernel sees ("POLYDESK-USB LIST" on its console). Devices are plugged into and
 * pulled out of this machine by the host, asked on this console ("USB-HOST plug|unplug ID"), and
 * each step waits for what it names: usb.list, usb.event and the nested guest's own USB tree.
 * Prints "USB-STEP name PASS" or "USB-STEP name FAIL why" per step, then "USB-END".
 * Arguments: the test guest's kernel and initrd as this guest sees them.
 */
public final class UsbInGuest {
    static final String STICK = "46f4:0001", KEYBOARD = "0627:0001";
    private final PolydeskdProcess daemon;
    private final List<UsbEvent> events = new CopyOnWriteArrayList<>();
    private UUID nested;

    private UsbInGuest(PolydeskdProcess daemon) {
        this.daemon = daemon;
    }

    public static void main(String[] args) throws Exception {
        String kernel = args[0], initrd = args[1];
        Path root = Files.createTempDirectory("polydesk");
        List<Process> services = new ArrayList<>();
        try {
            services.add(udevd());
            PolydeskdProcess daemon = PolydeskdProcess.start(root);
            Path input = daemon.runDir().resolve("input.sock");
            services.add(TestProcesses.start(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    "org.polydesk.input.daemon.PolydeskInput", "--no-devices", "--socket", input.toString(),
                    "--daemon-socket", daemon.socket().toString()).redirectErrorStream(true)
                    .redirectOutput(root.resolve("input.log").toFile())));
            new UsbInGuest(daemon).run(kernel, initrd);
            System.out.println("USB-LOG polydeskd's log (last lines):");
            daemon.logText().lines().skip(Math.max(0, daemon.logText().lines().count() - 40))
                    .forEach(l -> System.out.println("USB-LOG " + l));
            for (Path log : List.of(Path.of("/tmp/udevd.log"), Path.of("/tmp/udev-monitor.log"))) {
                if (Files.exists(log)) {
                    List<String> lines = Files.readString(log).lines().toList();
                    lines.subList(Math.max(0, lines.size() - 40), lines.size())
                            .forEach(l -> System.out.println("USB-LOG " + log.getFileName() + ": " + l));
                }
            }
            daemon.close();
        } catch (Exception e) {
            System.out.println("USB-STEP run FAIL " + e);
        } finally {
            services.forEach(Process::destroy);
        }
        System.out.println("USB-END");
        System.out.flush();
        System.exit(0);
    }

    /**
     * udevd, as dom0 runs it. This program runs in a chroot of the host's root (tests/guest/init),
     * where systemd's tools do nothing unless told the chroot is meant.
     */
    private static Process udevd() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/lib/systemd/systemd-udevd").redirectErrorStream(true)
                .redirectOutput(Path.of("/tmp/udevd.log").toFile());
        pb.environment().put("SYSTEMD_IGNORE_CHROOT", "1");
        Process p = TestProcesses.start(pb);
        ProcessBuilder settle = new ProcessBuilder("udevadm", "settle", "-t", "30").inheritIO();
        settle.environment().put("SYSTEMD_IGNORE_CHROOT", "1");
        settle.start().waitFor(40, TimeUnit.SECONDS);
        if (!p.isAlive()) {
            throw new IOException("udevd ended at once: " + Files.readString(Path.of("/tmp/udevd.log")));
        }
        // What udevd and the kernel said of USB devices, for a failure's report.
        ProcessBuilder monitor = new ProcessBuilder("udevadm", "monitor", "--udev", "--kernel", "--subsystem-match=usb")
                .redirectErrorStream(true).redirectOutput(Path.of("/tmp/udev-monitor.log").toFile());
        monitor.environment().put("SYSTEMD_IGNORE_CHROOT", "1");
        TestProcesses.start(monitor);
        return p;
    }

    private void run(String kernel, String initrd) throws Exception {
        follow();
        step("u-list", () -> {
            Await.until("the stick and the keyboard in usb.list", 120, () -> find(STICK, "STICK1").isPresent()
                    && devices().stream().anyMatch(d -> d.vendorProduct().equals(KEYBOARD)), this::listed);
            UsbDevice kbd = devices().stream().filter(d -> d.vendorProduct().equals(KEYBOARD)).findFirst().orElseThrow();
            check(kbd.input() && "keyboard".equals(kbd.kind()), "the keyboard is the input server's: " + kbd);
            UsbDevice stick = find(STICK, "STICK1").orElseThrow();
            check("storage".equals(stick.kind()) && stick.vm() == null, "the stick, with dom0: " + stick);
        });
        VmDefinition def = VmDefinition.builder().name("Nested").slot(1).memoryMib(256).kernel(kernel).ramdisk(initrd)
                .cmdline("console=ttyS0 quiet panic=-1 polydesk.colour=305030 polydesk.usb=1").build();
        nested = call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(def)).definition().id();
        call(ToolstackApi.VM_START, new ToolstackApi.VmRef("Nested"));
        step("u-nested-up", () -> Await.until("the nested guest's first USB list", 600, () -> nestedList() != null,
                () -> "its console: " + tail(nestedConsole())));
        step("u-assign", () -> {
            UsbDevice stick = call(ToolstackApi.USB_ASSIGN, new ToolstackApi.UsbAssign(find(STICK, "STICK1").orElseThrow().port(), "Nested"));
            check(nested.equals(stick.vm()), "usb.assign answers the stick in Nested: " + stick);
            Await.until("the stick in the nested guest's own USB tree", 120, () -> nestedHas(STICK + ":STICK1"), this::nestedLines);
        });
        step("u-unplug", () -> {
            host("unplug stick");
            Await.until("the stick gone from usb.list and from the nested guest", 120,
                    () -> find(STICK, "STICK1").isEmpty() && nestedList() != null && !nestedHas(STICK + ":STICK1"),
                    () -> listed() + "; " + nestedLines());
            check(events.stream().anyMatch(e -> e.type() == UsbEvent.Type.REMOVED && e.device() != null
                    && "STICK1".equals(e.device().serial())), "a removed event: " + events);
        });
        step("u-rule", () -> {
            call(ToolstackApi.USB_RULE_ADD, new ToolstackApi.UsbRuleChange("Nested", STICK, "STICK1", null));
            host("plug stickagain");
            Await.until("the stick, plugged in again, in Nested by the rule", 120, () -> find(STICK, "STICK1")
                    .map(d -> nested.equals(d.vm())).orElse(false) && nestedHas(STICK + ":STICK1"),
                    () -> listed() + "; " + nestedLines());
        });
        step("u-focused", () -> {
            call(ToolstackApi.FOCUS_SET, new ToolstackApi.VmRef("Nested"));
            // polydeskd learns the focus from the input server's bus (its audio status shows what it holds).
            Await.until("polydeskd knows Nested is in front", 60, () -> {
                try {
                    return nested.equals(call(ToolstackApi.AUDIO_STATUS, null).focused());
                } catch (IOException e) {
                    return false;
                }
            }, () -> "");
            host("plug stick2");
            Await.until("a stick no rule names, plugged in with Nested in front, in Nested", 120, () -> find(STICK, "STICK2")
                    .map(d -> nested.equals(d.vm())).orElse(false) && nestedHas(STICK + ":STICK2"),
                    () -> listed() + "; " + nestedLines() + "; events " + events);
        });
        step("u-restart", () -> {
            // polydeskd killed as a crash would, and started again: Nested ran on with both sticks, and
            // the new polydeskd learns from its QEMU who holds them.
            daemon.kill();
            daemon.restart();
            follow();
            Await.until("both sticks listed with Nested after the restart", 120, () -> find(STICK, "STICK1")
                    .map(d -> nested.equals(d.vm())).orElse(false) && find(STICK, "STICK2").map(d -> nested.equals(d.vm())).orElse(false),
                    this::listed);
            check(nestedHas(STICK + ":STICK1") && nestedHas(STICK + ":STICK2"), "the nested guest kept both: " + nestedLines());
            // The focus bus is followed again: the next plug still goes by the focus.
            Await.until("polydeskd knows Nested is in front again", 60, () -> {
                try {
                    return nested.equals(call(ToolstackApi.AUDIO_STATUS, null).focused());
                } catch (IOException e) {
                    return false;
                }
            }, () -> "");
        });
        step("u-keyboard", () -> {
            host("plug kbd2");
            Await.until("polydeskd's word on the keyboard plugged in", 120, () -> events.stream().anyMatch(e ->
                    e.type() == UsbEvent.Type.PLUGGED && e.device() != null && KEYBOARD.equals(e.device().vendorProduct())),
                    () -> "events " + events);
            List<UsbDevice> keyboards = devices().stream().filter(d -> d.vendorProduct().equals(KEYBOARD)).toList();
            check(keyboards.size() == 2 && keyboards.stream().allMatch(d -> d.vm() == null && d.input()),
                    "both keyboards stay with dom0's input server though Nested is in front: " + keyboards);
            check(!nestedHas(KEYBOARD), "no keyboard in the nested guest: " + nestedLines());
        });
        step("u-errors", () -> {
            expect(ErrorCode.NOT_FOUND, "no USB device 9-9", () -> call(ToolstackApi.USB_ASSIGN, new ToolstackApi.UsbAssign("9-9", "Nested")));
            call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(VmDefinition.builder().name("Other").slot(2).memoryMib(128)
                    .kernel(kernel).ramdisk(initrd).cmdline("console=ttyS0").build()));
            String port2 = find(STICK, "STICK2").orElseThrow().port();
            expect(ErrorCode.WRONG_STATE, "held by 'Nested'", () -> call(ToolstackApi.USB_ASSIGN, new ToolstackApi.UsbAssign(port2, "Other")));
            expect(ErrorCode.NOT_FOUND, "Nobody", () -> call(ToolstackApi.USB_ASSIGN, new ToolstackApi.UsbAssign(port2, "Nobody")));
            UsbDevice released = call(ToolstackApi.USB_RELEASE, new ToolstackApi.UsbRef(port2));
            check(released.vm() == null, "released: " + released);
            Await.until("STICK2 gone from the nested guest once released", 120, () -> !nestedHas(STICK + ":STICK2"), this::nestedLines);
            UsbDevice waiting = call(ToolstackApi.USB_ASSIGN, new ToolstackApi.UsbAssign(port2, "Other"));
            check(waiting.vm() == null && call(ToolstackApi.USB_SETTINGS, null).rules().stream()
                    .anyMatch(r -> "Other".equals(r.vmName()) && "STICK2".equals(r.serial())),
                    "an assignment to Other, stopped, waits as a rule: " + call(ToolstackApi.USB_SETTINGS, null));
        });
        step("u-stop-returns", () -> {
            call(ToolstackApi.VM_DESTROY, new ToolstackApi.VmRef("Nested"));
            Await.until("Nested's devices back with dom0", 60, () -> devices().stream().allMatch(d -> d.vm() == null), this::listed);
        });
    }

    // --- the steps' means ------------------------------------------------------------------------

    private interface Body {
        void run() throws Exception;
    }

    private static void step(String name, Body body) {
        long t0 = System.nanoTime();
        try {
            body.run();
            System.out.println("USB-STEP " + name + " PASS (" + (System.nanoTime() - t0) / 1_000_000_000 + " s)");
        } catch (Exception | AssertionError e) {
            System.out.println("USB-STEP " + name + " FAIL " + e.getMessage());
        }
        System.out.flush();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static void expect(ErrorCode code, String text, Body call) throws Exception {
        try {
            call.run();
        } catch (IOException e) {
            check(e.getMessage().contains(text) && e.getMessage().contains("(" + code.code() + ")"),
                    "refused with " + code + " naming '" + text + "': " + e.getMessage());
            return;
        }
        throw new AssertionError("not refused (expected " + code + ")");
    }

    /** Asks the host to plug or pull a device of this machine, by its QEMU id. */
    private static void host(String request) {
        System.out.println("USB-HOST " + request);
        System.out.flush();
    }

    private void follow() throws IOException {
        RpcClient c = RpcClient.connect(daemon.socket());
        c.call(ToolstackApi.EVENTS_SUBSCRIBE, null);
        Thread t = new Thread(() -> {
            try {
                RpcMessage m;
                while ((m = c.nextNotification()) != null) {
                    if (ToolstackApi.USB_EVENT.matches(m)) {
                        UsbEvent e = ToolstackApi.USB_EVENT.decode(m);
                        events.add(e);
                        System.out.println("USB-EVENT " + e.type() + " " + e.detail());
                    }
                }
            } catch (IOException e) {
                System.out.println("USB-EVENT stream ended: " + e.getMessage());
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private List<UsbDevice> devices() {
        try {
            return call(ToolstackApi.USB_LIST, null);
        } catch (IOException e) {
            return List.of();
        }
    }

    private Optional<UsbDevice> find(String vendorProduct, String serial) {
        return devices().stream().filter(d -> d.vendorProduct().equals(vendorProduct) && serial.equals(d.serial())).findFirst();
    }

    private String listed() {
        return "usb.list " + devices().stream().map(d -> d.port() + " " + d.vendorProduct() + " " + d.serial()
                + (d.vm() == null ? " dom0" : " in " + d.vmName())).toList();
    }

    /** The nested guest's own latest USB list (its ids:serials), or null before its first. */
    private String nestedList() {
        List<String> lines = nestedConsole().lines().filter(l -> l.startsWith("POLYDESK-USB LIST ")).toList();
        return lines.isEmpty() ? null : lines.get(lines.size() - 1).substring("POLYDESK-USB LIST ".length()).strip();
    }

    private boolean nestedHas(String idsAndSerial) {
        String list = nestedList();
        return list != null && List.of(list.split(" ")).stream().anyMatch(w -> w.startsWith(idsAndSerial));
    }

    private String nestedLines() {
        return "the nested guest's USB lists: " + nestedConsole().lines().filter(l -> l.startsWith("POLYDESK-USB")).toList();
    }

    private String nestedConsole() {
        try {
            return Files.readString(Paths.vmDir(daemon.runDir(), nested).resolve("console.log"), StandardCharsets.ISO_8859_1)
                    .replace("\r", "");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }

    private <P, R> R call(RpcMethod<P, R> method, P params) throws IOException {
        try (RpcClient c = RpcClient.connect(daemon.socket())) {
            return c.call(method, params);
        } catch (RpcClient.CallException e) {
            throw new IOException(method.name() + " refused (" + e.code() + "): " + e.getMessage(), e);
        }
    }
}
