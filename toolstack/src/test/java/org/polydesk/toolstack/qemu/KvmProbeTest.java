package org.polydesk.toolstack.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's reading of QEMU's answers, with stand-ins for QEMU that answer as it does on hosts
 * where KVM works, lacks CPU features (as under this project's nested virtualisation), or fails;
 * and the real QEMU, asked to quit over its QMP socket, where this host has one and a /dev/kvm.
 */
class KvmProbeTest {
    @TempDir
    Path tmp;

    private Path qemuThat(String script) throws Exception {
        Path p = tmp.resolve("qemu");
        Files.writeString(p, "#!/bin/sh\ncat >/dev/null\n" + script + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /** A stand-in for /dev/kvm that opens, so the probe goes on to ask QEMU. */
    private Path kvm() throws Exception {
        return Files.writeString(tmp.resolve("kvm"), "");
    }

    @Test
    void aDeviceThatCannotBeOpenedMeansTcgWithoutAskingQemu() throws Exception {
        assertEquals(new KvmProbe.Result(false, tmp.resolve("none") + " cannot be opened"),
                KvmProbe.probe(qemuThat("exit 0"), tmp.resolve("none")));
    }

    @Test
    void aQuietCleanExitMeansKvmWorks() throws Exception {
        assertEquals(new KvmProbe.Result(true, "KVM works"), KvmProbe.probe(qemuThat("exit 0"), kvm()));
    }

    @Test
    void missingCpuFeaturesMeanTcg() throws Exception {
        KvmProbe.Result r = KvmProbe.probe(qemuThat(
                "echo \"qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pni [bit 0]\" >&2"), kvm());
        assertFalse(r.usable());
        assertTrue(r.reason().startsWith("KVM lacks CPU features guests need: "), r.reason());
    }

    @Test
    void aFailingQemuMeansTcg() throws Exception {
        KvmProbe.Result r = KvmProbe.probe(qemuThat("echo 'Could not access KVM kernel module' >&2; exit 1"), kvm());
        assertEquals(new KvmProbe.Result(false, "QEMU cannot use KVM: Could not access KVM kernel module"), r);
    }

    @Test
    void theRealQemuIsAskedOverQmpAndQuitsAtOnce() {
        Path qemu = Path.of("/usr/bin/qemu-system-x86_64");
        Path device = Path.of("/dev/kvm");
        assumeTrue(Files.isExecutable(qemu) && Files.isReadable(device) && Files.isWritable(device),
                "needs QEMU and an openable /dev/kvm");
        long t0 = System.nanoTime();
        KvmProbe.Result r = KvmProbe.probe(qemu, device);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(r.usable() || r.reason().startsWith("KVM lacks CPU features guests need: "), r.reason());
        assertTrue(ms < 5000, "QEMU quit when asked, not at the 10 s timeout (" + ms + " ms)");
    }
}
