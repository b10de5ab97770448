package org.polydesk.display.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.polydesk.display.qemu.QemuGuest;
import org.polydesk.testsupport.TestGuest;

/**
 * {@code bash display-server/bench.sh kms [rounds]}: boots a test guest whose bochs-drm card drives
 * a 3840x2160 monitor and runs {@link KmsBenchmarkInGuest} there (the host's JDK, over
 * virtio-9p); prints its figures. Under QEMU's software emulation (TCG) the absolute times are
 * the emulator's; the ratios against the memcpy of the same run are what compare.
 */
public final class KmsBenchmark {
    public static void main(String[] args) throws Exception {
        String rounds = args.length > 0 ? args[0] : "30";
        Path dir = Files.createTempDirectory("polydesk-kms-bench");
        Path script = TestGuest.javaRunScript("kms-bench", List.of("-Xmx1g"), KmsBenchmarkInGuest.class.getName(), rounds);
        try (QemuGuest guest = QemuGuest.boot(dir.resolve("guest"), "none", null, 2048,
                TestGuest.cmdlineRunning("202020", script), TestGuest.hostRootArgs(),
                "VGA,xres=3840,yres=2160,vgamem_mb=256")) {
            guest.awaitReady();
            TestGuest.awaitConsole(guest.console(), TestGuest.RUN_EXIT, 1800);
            String console = Files.readString(guest.console());
            console.lines().filter(l -> l.startsWith("BENCH")).forEach(System.out::println);
            if (!console.contains("BENCH DONE")) {
                System.out.println(console);
                System.exit(1);
            }
        }
    }
}
