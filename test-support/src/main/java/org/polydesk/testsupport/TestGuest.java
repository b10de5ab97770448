package org.polydesk.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            Path repo = checkout();
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
     * Where the guest of {@link #cmdlineRunning} sees the checkout ({@code polydesk.repo}): a share
     * of its own, mounted at this fixed path, so that the checkout may be in any folder of the
     * host, /tmp included (the guest has its own /tmp and /run, which hide the host's).
     */
    public static final String GUEST_CHECKOUT = "/run/polydesk-checkout";

    /** The checkout on the host: {@code polydesk.repo}, absolute. */
    public static Path checkout() {
        return Path.of(System.getProperty("polydesk.repo", "..")).toAbsolutePath().normalize();
    }

    /**
     * The path under which the guest of {@link #cmdlineRunning} sees the host's {@code host}: under
     * {@link #GUEST_CHECKOUT} for what is in the checkout, else the same path through the host's
     * root; what the guest cannot see (the host's /tmp and /run outside the checkout) is refused.
     */
    public static String guestPath(Path host) {
        Path abs = host.toAbsolutePath().normalize();
        Path checkout = checkout();
        if (abs.startsWith(checkout)) {
            String rel = checkout.relativize(abs).toString();
            return rel.isEmpty() ? GUEST_CHECKOUT : GUEST_CHECKOUT + "/" + rel;
        }
        if (!visibleThroughHostRoot(abs)) {
            throw new IllegalArgumentException(abs + " is outside the checkout " + checkout
                    + " and under /tmp or /run, which the guest replaces with its own");
        }
        return abs.toString();
    }

    /**
     * A class path of the host as the guest of {@link #cmdlineRunning} sees it (see
     * {@link #guestPath}); entries the guest cannot see, such as surefire's temporary jars, are left out.
     */
    public static String guestClassPath(String hostClassPath) {
        StringBuilder sb = new StringBuilder();
        for (String entry : hostClassPath.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path abs = Path.of(entry).toAbsolutePath().normalize();
            if (!abs.startsWith(checkout()) && !visibleThroughHostRoot(abs)) {
                continue;
            }
            sb.append(sb.length() == 0 ? "" : java.io.File.pathSeparator).append(guestPath(abs));
        }
        return sb.toString();
    }

    private static boolean visibleThroughHostRoot(Path abs) {
        return !abs.startsWith("/tmp") && !abs.startsWith("/run");
    }

    /**
     * The kernel command line that makes the guest run the host's shell script {@code script}
     * inside itself (see tests/guest/init) once its screen is drawn; QEMU also needs
     * {@link #hostRootArgs()}. The script runs in a chroot of the host's root where the checkout is
     * at {@link #GUEST_CHECKOUT}: its paths must be the guest's ({@link #guestPath},
     * {@link #guestClassPath}).
     */
    public static String cmdlineRunning(String rrggbb, Path script) {
        String guestScript = guestPath(script);
        if (guestScript.contains(" ")) {
            throw new IllegalArgumentException(guestScript + ": the kernel command line cannot hold spaces;"
                    + " put the script elsewhere");
        }
        return cmdline(rrggbb) + " polydesk.checkout=" + GUEST_CHECKOUT + " polydesk.run=" + guestScript;
    }

    /**
     * A script for {@link #cmdlineRunning} that runs {@code mainClass} with this JVM's java and class
     * path as the guest sees them (the JIT's first tier only, class data shared), after
     * {@code jvmOptions}: {@code target/guest-run/NAME/run.sh}, in the checkout, which the guest sees.
     */
    public static Path javaRunScript(String name, List<String> jvmOptions, String mainClass, String... args) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "guest-run", name).toAbsolutePath());
        List<String> cmd = new ArrayList<>(List.of("exec", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", guestClassPath(System.getProperty("java.class.path")), mainClass));
        cmd.addAll(List.of(args));
        Path script = dir.resolve("run.sh");
        Files.writeString(script, String.join(" ", cmd) + "\n");
        return script;
    }

    /**
     * QEMU options that share the host's root read-only with the guest, and the checkout (tag
     * {@code checkout}, mounted at {@link #GUEST_CHECKOUT}), for {@link #cmdlineRunning}.
     */
    public static List<String> hostRootArgs() {
        return List.of("-virtfs", "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
                "-virtfs", "local,path=" + checkout().toString().replace(",", ",,")
                        + ",mount_tag=checkout,security_model=none,readonly=on,multidevs=remap");
    }

    /** The lines of a guest's console that start with {@code tag} and a space, without the tag (and carriage returns). */
    public static List<String> tagged(String console, String tag) {
        return console.lines().map(l -> l.replace("\r", "")).filter(l -> l.startsWith(tag + " "))
                .map(l -> l.substring(tag.length() + 1)).toList();
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
