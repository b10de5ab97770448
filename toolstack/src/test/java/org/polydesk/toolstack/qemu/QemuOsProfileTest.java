package org.polydesk.toolstack.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.paths.Paths;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.toolstack.cli.PolyctlRunner;
import org.polydesk.testsupport.PolydeskdProcess;

/**
 * A VM made from the Windows 11 profile, run by polydeskd on the real QEMU with OVMF (Secure Boot)
 * and swtpm, boots the Linux test guest (OVMF loads the kernel through fw_cfg), which reports from
 * the inside what a Windows 11 installer would look for: UEFI with Secure Boot on, a TPM 2.0, a USB
 * tablet and the profile's e1000 network card.
 *
 * <p>The NIC needs a host bridge that QEMU's bridge helper may use: polydeskd and its VMs run in a
 * network namespace of the test's own ({@code ip netns exec}), with the bridge in it and
 * /etc/netns/NS/qemu/bridge.conf, which ip-netns mounts over /etc/qemu there, allowing it. So the
 * test runs as root and leaves the host's network and /etc/qemu alone.
 */
@Tag("system") // about a minute of OVMF and a TCG guest on 2 cores: mvn -Psystem verify
class QemuOsProfileTest {
    private static final String BRIDGE = "pdbr0";

    @TempDir
    Path tmp;
    PolydeskdProcess polydeskd;
    String namespace;

    @AfterEach
    void cleanUp() throws Exception {
        if (polydeskd != null) {
            if (polydeskd.isAlive()) {
                for (JsonNode vm : new PolyctlRunner(polydeskd.socket()).json("vm", "list")) {
                    if (vm.hasNonNull("pid")) {
                        ProcessHandle.of(vm.get("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
            polydeskd.close();
        }
        if (namespace != null) {
            run("ip", "netns", "del", namespace);
            Path etc = Path.of("/etc/netns", namespace);
            Files.deleteIfExists(etc.resolve("qemu/bridge.conf"));
            Files.deleteIfExists(etc.resolve("qemu"));
            Files.deleteIfExists(etc);
        }
        if (madeEtcQemu) {
            Files.deleteIfExists(ETC_QEMU);
        }
    }

    private static final Path ETC_QEMU = Path.of("/etc/qemu");
    private boolean madeEtcQemu;

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    /** A network namespace with a bridge that QEMU's bridge helper may attach to. */
    private void makeNamespace() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "the test makes a network namespace, which needs root");
        String ns = "pdos" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        namespace = ns;
        run("ip", "netns", "exec", ns, "ip", "link", "add", "name", BRIDGE, "type", "bridge");
        run("ip", "netns", "exec", ns, "ip", "link", "set", BRIDGE, "up");
        Path conf = Path.of("/etc/netns", ns, "qemu", "bridge.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "allow " + BRIDGE + "\n");
        // ip-netns mounts over /etc/qemu only where it exists (QEMU's packages do not make it): an
        // empty one is made for the mount and taken away again.
        if (!Files.exists(ETC_QEMU)) {
            Files.createDirectory(ETC_QEMU);
            madeEtcQemu = true;
        }
    }

    @Test
    void aWindows11VmHasUefiSecureBootATpm2AUsbTabletAndItsNicModelSeenFromInside() throws Exception {
        makeNamespace();
        polydeskd = PolydeskdProcess.startWrapped(List.of("ip", "netns", "exec", namespace), tmp);
        PolyctlRunner polyctl = new PolyctlRunner(polydeskd.socket());
        // The profile's memory (4 GiB) is edited down: the profile fills fields, the person may change them.
        JsonNode created = polyctl.json("vm", "create", "--name", "Win11", "--os", "win11", "--memory", "512",
                "--vcpus", "1", "--nic", "bridge=" + BRIDGE,
                "--kernel", TestGuest.kernel().toString(), "--ramdisk", TestGuest.initrd().toString(),
                "--cmdline", TestGuest.cmdline("3060C0") + " polydesk.probe=hw");
        JsonNode def = created.path("definition");
        assertEquals("win11", def.path("os").asText());
        assertEquals(512, def.path("memoryMib").asInt());
        assertEquals("uefi", def.path("firmware").asText());
        assertTrue(def.path("secureBoot").asBoolean() && def.path("tpm").asBoolean() && def.path("usbTablet").asBoolean()
                && def.path("rtcLocalTime").asBoolean(), def.toString());
        assertEquals("e1000", def.path("nics").path(0).path("model").asText());
        UUID id = UUID.fromString(def.path("id").asText());

        PolyctlRunner.Run start = polyctl.run("vm", "start", "Win11");
        assertEquals(0, start.exit(), start.err());
        Path vmDir = Paths.vmDir(tmp.resolve("run"), id);
        Path console = vmDir.resolve("console.log");
        TestGuest.awaitConsole(console, "POLYDESK-PROBE END", 300);
        List<String> probe = Files.readAllLines(console, StandardCharsets.ISO_8859_1).stream()
                .map(String::strip).filter(l -> l.startsWith("POLYDESK-PROBE ")).map(l -> l.substring(15)).toList();
        assertTrue(probe.contains("efi yes"), "the guest booted through UEFI: " + probe);
        assertTrue(probe.contains("secureboot 1"), "with Secure Boot on: " + probe);
        assertTrue(probe.contains("tpm tpm0 version 2"), "a TPM 2.0: " + probe);
        assertTrue(probe.stream().anyMatch(l -> l.startsWith("input ") && l.contains("USB Tablet")), "a USB tablet: " + probe);
        assertTrue(probe.contains("nic eth0 driver e1000"), "the profile's NIC model: " + probe);

        // The TPM's state and the UEFI variables live with the VM under polydeskd's state directory.
        Path state = tmp.resolve("vms").resolve(id.toString());
        assertTrue(Files.exists(state.resolve("tpm/tpm2-00.permall")), "swtpm keeps its state with the VM");
        assertTrue(Files.exists(state.resolve("efivars-secboot.fd")), "the VM's own copy of the Secure Boot variables");
        long swtpm = Long.parseLong(Files.readString(vmDir.resolve("swtpm.pid")).strip());
        assertTrue(ProcessHandle.of(swtpm).map(ProcessHandle::isAlive).orElse(false), "swtpm runs beside the VM");

        PolyctlRunner.Run stop = polyctl.run("vm", "stop", "Win11", "--timeout", "60");
        assertEquals(0, stop.exit(), stop.err());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(swtpm).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(swtpm).map(ProcessHandle::isAlive).orElse(false), "swtpm ends with the VM");
        assertFalse(Files.exists(vmDir.resolve("swtpm.sock")));

        assertEquals(0, polyctl.run("vm", "delete", "Win11").exit());
        assertFalse(Files.exists(state), "deleting the VM deletes its TPM and UEFI state");
    }
}
