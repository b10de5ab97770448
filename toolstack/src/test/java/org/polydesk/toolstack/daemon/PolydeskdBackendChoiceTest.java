package org.polydesk.toolstack.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** On a host without Xen, asking for libxl (by flag or config file) is a clear error and exit 1. */
class PolydeskdBackendChoiceTest {
    @TempDir
    Path tmp;

    private record Result(int exit, String err) {
    }

    private Result polydeskd(String... args) {
        CommandLine cl = new CommandLine(new Polydeskd());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 4];
        all[0] = "--state-dir=" + tmp.resolve("vms");
        all[1] = "--run-dir=" + tmp.resolve("run");
        all[2] = "--accel=tcg";
        all[3] = "--no-autostart";
        System.arraycopy(args, 0, all, 4, args.length);
        return new Result(cl.execute(all), err.toString());
    }

    private static final String NOT_DOM0 = "polydeskd: the libxl backend needs a Xen dom0, and this host is not one "
            + "(/proc/xen/capabilities does not say control_d); use --backend qemu\n";

    @Test
    void libxlForcedWithoutXenIsRefused() {
        Result r = polydeskd("--backend", "libxl");
        assertEquals(1, r.exit());
        assertEquals(NOT_DOM0, r.err());
    }

    @Test
    void libxlForcedByTheConfigFileIsRefusedTheSameWay() throws Exception {
        Path conf = Files.writeString(tmp.resolve("polydeskd.conf"), "# forced for this host\nbackend = libxl\n");
        System.setProperty("picocli.defaults.polydeskd.path", conf.toString());
        try {
            Result r = polydeskd();
            assertEquals(1, r.exit());
            assertEquals(NOT_DOM0, r.err());
        } finally {
            System.clearProperty("picocli.defaults.polydeskd.path");
        }
    }

    @Test
    void anUnknownBackendIsNamed() {
        Result r = polydeskd("--backend", "xen");
        assertEquals(1, r.exit());
        assertEquals("polydeskd: --backend must be auto, qemu or libxl, not 'xen'\n", r.err());
    }
}
