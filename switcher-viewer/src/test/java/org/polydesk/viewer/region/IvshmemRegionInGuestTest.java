package org.polydesk.viewer.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.display.compose.Frame;
import org.polydesk.display.framebuffer.Rect;
import org.polydesk.display.linux.Gntdev;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.viewer.RegionMapper;
import org.polydesk.display.viewer.ViewerSink;
import org.polydesk.protocol.vm.Display;
import org.polydesk.protocol.vm.VmDefinition;
import org.polydesk.testsupport.TestGuest;
import org.polydesk.testsupport.TestProcesses;
import org.polydesk.toolstack.backend.VmRuntimeDir;
import org.polydesk.toolstack.qemu.QemuCommandLine;

/**
 * The region in an ivshmem BAR for real: a passthrough VM started with the toolstack's own QEMU
 * command line (its viewer port and ivshmem device; no GPU to hand over here) runs the real viewer
 * in --probe mode on /dev/ttyS1 with the BAR of its ivshmem device; dom0's viewer sink maps the
 * file behind that BAR, as polydeskd names it, and writes frames. Every frame the viewer reads
 * has the CRC-32 of a frame dom0 wrote.
 */
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class IvshmemRegionInGuestTest {
    private static final int W = 1024;
    private static final int H = 768;
    private static final int FRAMES = 3;
    private static final Pattern PROBED = Pattern.compile("frame (\\d+) buffer (\\d) crc32 ([0-9a-f]{8})");

    @TempDir
    Path tmp;

    @Test
    void framesDom0WritesIntoTheVmsIvshmemFileAreWhatTheViewerReadsFromItsBar() throws Exception {
        Path script = TestGuest.javaRunScript("ivshmem", List.of(), "org.polydesk.viewer.app.ViewerMain", "--probe",
                String.valueOf(FRAMES), "--probe-seconds", "300", "--size", W + "x" + H, "--buffers", "2", "--port", "/dev/ttyS1");
        Path scriptDir = script.getParent();

        VmRuntimeDir dir = new VmRuntimeDir(Files.createDirectories(tmp.resolve("vm")));
        VmDefinition def = VmDefinition.builder().id(UUID.randomUUID()).name("Passthrough").slot(3).memoryMib(1024)
                .vcpus(2).display(new Display(W, H)).gpu("0000:00:02.0")
                .kernel(TestGuest.kernel().toString()).ramdisk(TestGuest.initrd().toString())
                .cmdline(TestGuest.cmdlineRunning("202020", script)).build();
        List<String> args = new ArrayList<>(QemuCommandLine.build("qemu-system-x86_64", "tcg", null, def, List.of(), dir));
        args.addAll(TestGuest.hostRootArgs());
        args.add("-no-reboot");
        Process qemu = TestProcesses.start(new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(dir.qemuLog().toFile()));
        ViewerSink sink = null;
        try {
            awaitFile(dir.viewerSocket(), qemu, dir);
            assertTrue(Files.exists(dir.viewerRegion()), "QEMU made the file behind the BAR where polydeskd names it");

            CountDownLatch attached = new CountDownLatch(1);
            sink = ViewerSink.open(W, H, -1, dir.viewerSocket(),
                    new RegionMapper(tmp.resolve("no-shm"), null, dir.viewerRegion(), new Gntdev()),
                    new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1)));
            sink.onRepaintNeeded(attached::countDown);
            TestGuest.awaitConsole(dir.consoleLog(), "in the ivshmem BAR", 240);
            assertTrue(attached.await(60, TimeUnit.SECONDS), "the viewer's HELLO was taken: " + sink.describe());

            Set<String> written = new LinkedHashSet<>();
            String console = "";
            for (int n = 1; n <= 60 && !console.contains(TestGuest.RUN_EXIT); n++) {
                written.add(write(sink, n));
                Thread.sleep(2000);
                console = Files.readString(dir.consoleLog());
            }
            assertTrue(console.contains(TestGuest.RUN_EXIT + " 0"), "the viewer read " + FRAMES + " frames and ended well:\n"
                    + console.substring(Math.max(0, console.length() - 3000)));
            List<String> read = new ArrayList<>();
            Matcher m = PROBED.matcher(console);
            while (m.find()) {
                read.add(m.group(3));
            }
            assertEquals(FRAMES, read.size(), "frames the viewer read:\n" + console);
            for (String crc : read) {
                assertTrue(written.contains(crc), "the viewer read a frame of CRC-32 " + crc + ", dom0 wrote " + written);
            }
        } finally {
            if (sink != null) {
                sink.close();
            }
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (Files.exists(dir.consoleLog())) { // kept for a person to read
                Files.copy(dir.consoleLog(), scriptDir.resolve("console.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Frame {@code n}, distinct from every other, into the sink; its CRC-32 as the viewer's probe prints it. */
    private static String write(ViewerSink sink, int n) throws Exception {
        Frame f = new Frame(W, H);
        int[] px = f.pixels();
        for (int i = 0; i < px.length; i++) {
            px[i] = 0xFF000000 | (i * 2654435 + n * 977 + (i / W) * 31) & 0xFFFFFF;
        }
        sink.present(f, List.of(new Rect(0, 0, W, H)));
        ByteBuffer bytes = ByteBuffer.allocate(px.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(px);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }

    private static void awaitFile(Path file, Process qemu, VmRuntimeDir dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file)) {
            if (!qemu.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("QEMU did not serve " + file + ":\n" + Files.readString(dir.qemuLog()));
            }
            Thread.sleep(100);
        }
    }
}
