package org.polydesk.toolstack.libxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A C program against the installed Xen 4.17 headers (libxen-dev), compiled with gcc and run: each
 * line it prints is "KEY VALUE". How the tests ask the real headers and library what the binding
 * must match.
 */
final class CProbe {
    private CProbe() {
    }

    static Map<String, String> run(Path dir, String source, List<String> libraries, String... args) throws Exception {
        assertTrue(Files.exists(Path.of("/usr/include/libxl.h")),
                "the libxl headers are missing: apt-get install libxen-dev (scripts/setup.sh does)");
        Path c = dir.resolve("probe.c");
        Files.writeString(c, source);
        Path exe = dir.resolve("probe");
        List<String> cc = new ArrayList<>(List.of("gcc", "-o", exe.toString(), c.toString()));
        libraries.forEach(l -> cc.add("-l" + l));
        Process gcc = new ProcessBuilder(cc).redirectErrorStream(true).start();
        String ccOut = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc failed: " + ccOut);
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(args));
        Process run = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the probe did not end");
        assertEquals(0, run.exitValue(), "the probe failed (a signal is 128 + its number):\n" + out);
        Map<String, String> values = new HashMap<>();
        out.lines().forEach(l -> {
            int space = l.indexOf(' ');
            values.put(space < 0 ? l : l.substring(0, space), space < 0 ? "" : l.substring(space + 1));
        });
        return values;
    }
}
