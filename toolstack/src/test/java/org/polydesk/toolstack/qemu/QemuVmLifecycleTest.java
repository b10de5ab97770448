package org.polydesk.toolstack.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.qmp.QmpClient;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.protocol.rpc.Json;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.LifecycleEvent;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.testsupport.Ppm;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The real QEMU from apt under polydeskd, driven through polyctl: a VM is created, started, seen
 * running through QMP with its screen drawn, survives a daemon restart, and is stopped by ACPI.
 */
class QemuVmLifecycleTest {
    private static final String COLOUR = "C03030";

    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;
    RpcClient events;
    final BlockingQueue<LifecycleEvent> received = new LinkedBlockingQueue<>();

    @AfterEach
    void cleanUp() throws Exception {
        if (events != null) {
            events.close();
        }
        if (polydeskd != null) {
            // Never leave a QEMU behind, whatever the test did.
            for (JsonNode vm : new PolyctlRunner(polydeskd.socket()).json("vm", "list")) {
                if (vm.hasNonNull("pid")) {
                    ProcessHandle.of(vm.get("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            polydeskd.close();
        }
    }

    private void startDaemon(String... args) throws Exception {
        polydeskd = TestPolydeskd.start(tmp, args);
        events = polydeskd.connect();
        events.call(ToolstackApi.EVENTS_SUBSCRIBE);
        Thread t = new Thread(() -> {
            try {
                RpcMessage m;
                while ((m = events.nextNotification()) != null) {
                    if (ToolstackApi.EVENT.matches(m)) {
                        received.add(ToolstackApi.EVENT.decode(m));
                    }
                }
            } catch (Exception e) {
                // the test closed the subscription
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private LifecycleEvent awaitEvent(LifecycleEvent.Type type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            LifecycleEvent e = received.poll(1, TimeUnit.SECONDS);
            if (e != null && e.type() == type) {
                return e;
            }
        }
        throw new AssertionError("no '" + type + "' event within 120 s");
    }

    private String createGuest(PolyctlRunner polyctl, String name) throws Exception {
        JsonNode created = polyctl.json("vm", "create", "--name", name, "--memory", "256",
                "--kernel", TestGuest.kernel().toString(), "--ramdisk", TestGuest.initrd().toString(),
                "--cmdline", TestGuest.cmdline(COLOUR));
        return created.path("definition").path("id").asText();
    }

    @Test
    void createStartSeeRunningAndDrawnRestartDaemonStop() throws Exception {
        startDaemon();
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        String id = createGuest(polyctl, "Guest");

        PolyctlRunner.Run start = polyctl.run("vm", "start", "Guest");
        assertEquals(0, start.exit(), start.err());
        assertEquals("started 'Guest' (slot 1): running\n", start.out());
        LifecycleEvent started = awaitEvent(LifecycleEvent.Type.RUNNING);
        assertEquals(id, started.vm().toString());
        Path vmDir = Paths.vmDir(tmp.resolve("run"), java.util.UUID.fromString(id));
        assertEquals(vmDir.resolve("vnc.sock").toString(), started.sockets().vnc());
        assertTrue(Files.exists(vmDir.resolve("vnc.sock")), "QEMU serves VNC on its UNIX socket");

        try (QmpClient qmp = QmpClient.connect(vmDir.resolve("qmp.sock"), null, Duration.ofSeconds(10))) {
            JsonNode status = qmp.execute("query-status", null, Duration.ofSeconds(10));
            assertEquals("running", status.path("status").asText());
            assertTrue(status.path("running").asBoolean());

            TestGuest.awaitConsole(vmDir.resolve("console.log"), TestGuest.READY, 240);
            Path dump = tmp.resolve("screen.ppm");
            qmp.execute("screendump", Json.mapper().createObjectNode().put("filename", dump.toString()), Duration.ofSeconds(10));
            Ppm screen = Ppm.read(dump);
            assertEquals(1024, screen.width());
            assertEquals(768, screen.height());
            assertEquals(0xC03030, screen.rgbAt(512, 384), "the guest's colour fills the centre of its screen");
            assertTrue(screen.distinctColours() >= 3, "a drawn screen, not a blank one");

            // qmp.sock is free for the other services: keys sent there reach the guest's keyboard.
            for (String key : new String[] {"h", "i"}) {
                qmp.execute("send-key", (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(
                        "{\"keys\":[{\"type\":\"qcode\",\"data\":\"" + key + "\"}]}"), Duration.ofSeconds(10));
            }
            TestGuest.awaitTyped(vmDir.resolve("console.log"), "hi", 30);
        }

        long pid = polyctl.json("vm", "show", "Guest").path("pid").asLong();
        events.close();
        polydeskd.close();
        startDaemon();
        JsonNode recovered = polyctl.json("vm", "show", "Guest");
        assertEquals("running", recovered.path("state").asText(), "a restarted daemon takes the VM back");
        assertEquals(pid, recovered.path("pid").asLong());

        PolyctlRunner.Run stop = polyctl.run("vm", "stop", "Guest", "--timeout", "90");
        assertEquals(0, stop.exit(), stop.err());
        assertEquals("stopped 'Guest' (slot 1): stopped — the guest powered off\n", stop.out());
        LifecycleEvent stopped = awaitEvent(LifecycleEvent.Type.STOPPED);
        assertEquals(id, stopped.vm().toString());
        assertEquals("the guest powered off", stopped.detail());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(vmDir.resolve("qmp.sock")), "sockets are cleaned up");
    }

    @Test
    void aKilledQemuIsReportedAsCrashedAndTheOthersRunOn() throws Exception {
        startDaemon();
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        createGuest(polyctl, "Victim");
        createGuest(polyctl, "Bystander");
        // Left crashed, not restarted (QemuLifecycleActionsTest shows the restarts).
        assertEquals(0, polyctl.run("vm", "edit", "Victim", "--on-crash", "stop").exit());
        assertEquals(0, polyctl.run("vm", "start", "Victim").exit());
        assertEquals(0, polyctl.run("vm", "start", "Bystander").exit());
        long victim = polyctl.json("vm", "show", "Victim").path("pid").asLong();

        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        LifecycleEvent crashed = awaitEvent(LifecycleEvent.Type.CRASHED);
        assertEquals("Victim", crashed.name());
        assertTrue(crashed.detail().startsWith("QEMU ended unexpectedly"), crashed.detail());
        assertEquals("crashed", polyctl.json("vm", "show", "Victim").path("state").asText());
        assertEquals("running", polyctl.json("vm", "show", "Bystander").path("state").asText());

        PolyctlRunner.Run destroy = polyctl.run("vm", "destroy", "Bystander");
        assertEquals(0, destroy.exit(), destroy.err());
        assertEquals("destroyed on request", awaitEvent(LifecycleEvent.Type.STOPPED).detail());
        assertEquals(0, polyctl.run("vm", "start", "Victim").exit(), "a crashed VM can be started again");
        assertEquals(0, polyctl.run("vm", "destroy", "Victim").exit());
    }

    @Test
    void aGuestThatIgnoresThePowerButtonIsStoppedHardAfterTheTimeout() throws Exception {
        startDaemon();
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        // No kernel and no disk: the firmware waits for a boot device and nothing answers ACPI.
        assertEquals(0, polyctl.run("vm", "create", "--name", "Deaf", "--memory", "128").exit());
        assertEquals(0, polyctl.run("vm", "start", "Deaf").exit());
        long pid = polyctl.json("vm", "show", "Deaf").path("pid").asLong();
        PolyctlRunner.Run stop = polyctl.run("vm", "stop", "Deaf", "--timeout", "2");
        assertEquals(0, stop.exit(), stop.err());
        assertEquals("stopped 'Deaf' (slot 1): stopped — stopped hard after the guest ignored the power-down request\n",
                stop.out());
        awaitEvent(LifecycleEvent.Type.STOPPED);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void vmsMarkedAutostartStartWithTheDaemon() throws Exception {
        startDaemon();
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        createGuest(polyctl, "Manual");
        createGuest(polyctl, "Automatic");
        assertEquals(0, polyctl.run("vm", "edit", "Automatic", "--autostart").exit());
        events.close();
        polydeskd.close();

        startDaemon();
        assertEquals("running", polyctl.json("vm", "show", "Automatic").path("state").asText());
        assertEquals("stopped", polyctl.json("vm", "show", "Manual").path("state").asText());
        assertEquals(0, polyctl.run("vm", "destroy", "Automatic").exit());
    }

    @Test
    void aSocketPathInUseIsAClearErrorAndTheVmStaysStopped() throws Exception {
        startDaemon();
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        String id = createGuest(polyctl, "Blocked");
        Path vnc = Paths.vmDir(tmp.resolve("run"), java.util.UUID.fromString(id)).resolve("vnc.sock");
        Files.createDirectories(vnc.getParent());
        try (ServerSocketChannel squatter = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            squatter.bind(UnixDomainSocketAddress.of(vnc));
            PolyctlRunner.Run start = polyctl.run("vm", "start", "Blocked");
            assertEquals(1, start.exit());
            assertEquals("polyctl: cannot start 'Blocked': socket " + vnc + " is in use by another process\n", start.err());
            assertEquals("stopped", polyctl.json("vm", "show", "Blocked").path("state").asText());
        }
    }

    @Test
    void missingQemuIsAClearErrorAndTheVmStaysStopped() throws Exception {
        startDaemon("--qemu", tmp.resolve("no-such-qemu").toString());
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        createGuest(polyctl, "Nowhere");
        PolyctlRunner.Run start = polyctl.run("vm", "start", "Nowhere");
        assertEquals(1, start.exit());
        assertEquals("polyctl: QEMU is not installed: '" + tmp.resolve("no-such-qemu")
                + "' was not found (apt-get install qemu-system-x86)\n", start.err());
        JsonNode status = polyctl.json("vm", "show", "Nowhere");
        assertEquals("stopped", status.path("state").asText());
        assertNotNull(status.get("detail"));
    }
}
