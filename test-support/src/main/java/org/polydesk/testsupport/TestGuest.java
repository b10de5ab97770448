package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The small Linux guest of tests/guest (Debian's kernel, a busybox initramfs that fills its screen
 * with one colour and echoes its keyboard to ttyS0), built once and cached by build-guest.sh.
 */
public final class TestGuest {
    public static final String READY = "POLYDESK-GUEST READY";
    private static Path dir;

    private TestGuest() {
    }

    /** The directory holding vmlinuz and initrd.img, building them on first use. */
    public static synchronized Path directory() throws IOException, InterruptedException {
        if (dir == null) {
            Path repo = Path.of(System.getProperty("polydesk.repo", "..")).toAbsolutePath().normalize();
            Process p = new ProcessBuilder("bash", repo.resolve("tests/guest/build-guest.sh").toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("tests/guest/build-guest.sh failed (exit " + p.exitValue() + ")");
            }
            List<String> lines = out.lines().toList();
            dir = Path.of(lines.get(lines.size() - 1).strip());
        }
        return dir;
    }

    public static Path kernel() throws IOException, InterruptedException {
        return directory().resolve("vmlinuz");
    }

    public static Path initrd() throws IOException, InterruptedException {
        return directory().resolve("initrd.img");
    }

    /** The kernel command line that makes the guest fill its screen with {@code rrggbb}. */
    public static String cmdline(String rrggbb) {
        return "console=ttyS0 quiet panic=-1 polydesk.colour=" + rrggbb;
    }

    /**
     * The kernel command line that makes the guest run the host's shell script {@code script}
     * inside itself (see tests/guest/init) once its screen is drawn; QEMU also needs
     * {@link #hostRootArgs()}. The script and everything it uses must be outside /tmp and /run,
     * which the guest replaces with its own.
     */
    public static String cmdlineRunning(String rrggbb, Path script) {
        Path abs = script.toAbsolutePath().normalize();
        if (abs.startsWith("/tmp") || abs.startsWith("/run") || abs.toString().contains(" ")) {
            throw new IllegalArgumentException(abs + ": the guest sees its own /tmp and /run, and the kernel"
                    + " command line cannot hold spaces; put the script elsewhere");
        }
        return cmdline(rrggbb) + " polydesk.run=" + abs;
    }

    /** QEMU options that share the host's root read-only with the guest, for {@link #cmdlineRunning}. */
    public static List<String> hostRootArgs() {
        return List.of("-virtfs", "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap");
    }

    /** The line the guest prints when the script of {@link #cmdlineRunning} has ended. */
    public static final String RUN_EXIT = "POLYDESK-GUEST RUN EXIT";

    /** Waits until the guest's serial console (a file) contains {@code text}. */
    public static void awaitConsole(Path console, String text, long seconds) throws IOException, InterruptedException {
        awaitConsole(console, text, seconds, false);
    }

    /** Waits until the keys typed into the guest since it became ready include {@code text}. */
    public static void awaitTyped(Path console, String text, long seconds) throws IOException, InterruptedException {
        awaitConsole(console, text, seconds, true);
    }

    /**
     * What the guest echoed of the keys typed into it since it became ready, exactly (escape
     * sequences and control bytes included, so tests can look for leaks); "" before then.
     */
    public static String typed(Path console) throws IOException {
        String all = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
        int ready = all.indexOf(READY);
        return ready < 0 ? "" : all.substring(ready + READY.length()).replaceFirst("^\r?\n", "");
    }

    private static void awaitConsole(Path console, String text, long seconds, boolean typedOnly)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String seen = typedOnly ? typed(console)
                    : Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
            if (seen.contains(text)) {
                return;
            }
            Thread.sleep(250);
        }
        String seen = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "(no console file)";
        throw new AssertionError("'" + text + "' did not appear on the guest console within " + seconds
                + " s; it shows:\n" + seen.substring(Math.max(0, seen.length() - 2000)));
    }
}
