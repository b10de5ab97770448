package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.polydesk.protocol.toolstack.HostSystem;
import org.polydesk.toolstack.definition.AtomicFile;

/**
 * The two system slots of an installed Polydesk (partitions polydesk-root-a and -b) and which one
 * boots, as GRUB's menu on the EFI system partition decides it from its environment block:
 * {@code default_slot} is the system kept; {@code next_slot} is tried once (GRUB clears it before
 * it boots it, so a system that hangs or never says it is healthy is left at the next boot);
 * {@code tried_slot} is that update until this boot or the old system's next one says how it went;
 * {@code release_a}/{@code release_b} are what each slot holds. The running slot is on dom0's
 * command line ({@code polydesk.slot=a}), and {@code polydesk.trial=1} marks a try.
 */
public final class BootSlots {
    /** GRUB's directory on the mounted EFI system partition: grub.cfg, grubenv, slot-a.cfg, slot-b.cfg. */
    public static final Path ESP_GRUB = Path.of("/boot/efi/grub");
    public static final Path CMDLINE = Path.of("/proc/cmdline");
    /** The running system's release, written into the image by iso/build.sh. */
    public static final Path RELEASE = Path.of("/etc/polydesk/release");
    public static final String TRIAL_ARG = "polydesk.trial=1";

    static final String DEFAULT_SLOT = "default_slot", NEXT_SLOT = "next_slot", TRIED_SLOT = "tried_slot",
            LAST_UPDATE = "last_update";

    /** The slot this system runs from, and whether this boot is a try. */
    public record Running(String slot, boolean trial) {
    }

    private final Path grubDir;
    private final Path cmdline;
    private final Path releaseFile;

    public BootSlots(Path grubDir, Path cmdline, Path releaseFile) {
        this.grubDir = grubDir;
        this.cmdline = cmdline;
        this.releaseFile = releaseFile;
    }

    public static BootSlots system() {
        return new BootSlots(ESP_GRUB, CMDLINE, RELEASE);
    }

    public static String other(String slot) {
        return slot.equals("a") ? "b" : "a";
    }

    /** The GPT name and file system label of a slot's partition. */
    public static String label(String slot) {
        return PartitionPlan.ROOT_LABEL + "-" + slot;
    }

    static String releaseKey(String slot) {
        return "release_" + slot;
    }

    public Path env() {
        return grubDir.resolve("grubenv");
    }

    public Path slotConfig(String slot) {
        return grubDir.resolve("slot-" + slot + ".cfg");
    }

    /** The running slot, empty on a live system or one installed without slots. */
    public Optional<Running> running() throws IOException {
        String line;
        try {
            line = Files.readString(cmdline);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String[] words = line.strip().split("\\s+");
        Optional<String> slot = Arrays.stream(words).filter(w -> w.equals("polydesk.slot=a") || w.equals("polydesk.slot=b"))
                .map(w -> w.substring(w.indexOf('=') + 1)).reduce((first, last) -> last);
        boolean trial = Arrays.asList(words).contains(TRIAL_ARG);
        return slot.map(s -> new Running(s, trial));
    }

    /** The release of the running system ("unknown" where the image did not say). */
    public String runningRelease() {
        return readRelease(releaseFile);
    }

    /** A system's release file, or "unknown". */
    public static String readRelease(Path file) {
        try {
            String r = Files.readString(file).strip();
            return r.isEmpty() ? "unknown" : r.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public Map<String, String> read() throws IOException {
        try {
            return GrubEnv.read(env());
        } catch (IllegalArgumentException e) {
            throw new IOException(env() + ": " + e.getMessage(), e);
        }
    }

    /** The running system, the other slot, the next boot and the last update. */
    public HostSystem status() throws IOException {
        String release = runningRelease();
        Optional<Running> running = running();
        if (running.isEmpty()) {
            return new HostSystem(release, null, false, null, null, null, false, null);
        }
        return status(release, running.get(), read());
    }

    private static HostSystem status(String release, Running r, Map<String, String> env) {
        String other = other(r.slot());
        String kept = env.getOrDefault(DEFAULT_SLOT, "a");
        String next = env.getOrDefault(NEXT_SLOT, "");
        return new HostSystem(release, r.slot(), kept.equals(r.slot()), other, env.get(releaseKey(other)),
                next.isEmpty() ? kept : next, !next.isEmpty(), lastUpdate(env.get(LAST_UPDATE)));
    }

    private static String lastUpdate(String recorded) {
        if (recorded == null || recorded.isEmpty()) {
            return null;
        }
        int colon = recorded.indexOf(':');
        String what = colon < 0 ? recorded : recorded.substring(0, colon);
        String release = colon < 0 ? "?" : recorded.substring(colon + 1);
        return switch (what) {
            case "ok" -> "the update to " + release + " came up healthy and was kept";
            case "failed" -> "the update to " + release + " did not come up healthy; its boot fell back to this system";
            default -> recorded;
        };
    }

    /**
     * This boot is healthy. An updated system on its try becomes the one kept; the old system, booted
     * again after a try that never said so, records the update as failed. Nothing on a live system.
     */
    public synchronized HostSystem confirm() throws IOException {
        String release = runningRelease();
        Optional<Running> running = running();
        if (running.isEmpty()) {
            return new HostSystem(release, null, false, null, null, null, false, null);
        }
        String slot = running.get().slot();
        Map<String, String> env = read();
        String tried = env.getOrDefault(TRIED_SLOT, "");
        String next = env.getOrDefault(NEXT_SLOT, "");
        boolean changed = false;
        if (tried.equals(slot)) {
            env.put(DEFAULT_SLOT, slot);
            env.put(TRIED_SLOT, "");
            env.put(LAST_UPDATE, "ok:" + env.getOrDefault(releaseKey(slot), release));
            changed = true;
        } else if (!tried.isEmpty() && next.isEmpty()) {
            env.put(TRIED_SLOT, "");
            env.put(LAST_UPDATE, "failed:" + env.getOrDefault(releaseKey(tried), "?"));
            changed = true;
        }
        if (!env.containsKey(DEFAULT_SLOT)) {
            env.put(DEFAULT_SLOT, slot);
            changed = true;
        }
        if (changed) {
            GrubEnv.write(env(), env);
        }
        return status(release, running.get(), env);
    }

    /**
     * Makes {@code slot}, just written with {@code release} and its menu entries {@code slotCfg},
     * the next boot's, once. The menu entries go first: until next_slot is set, nothing boots them.
     */
    public synchronized void tryNext(String slot, String release, String slotCfg) throws IOException {
        AtomicFile.write(slotConfig(slot), slotCfg.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Map<String, String> env = read();
        env.put(releaseKey(slot), release);
        env.put(NEXT_SLOT, slot);
        env.put(TRIED_SLOT, slot);
        env.put(LAST_UPDATE, "");
        GrubEnv.write(env(), env);
    }

    /** Before a slot is overwritten: nothing boots it, and it holds no release. */
    public synchronized void forget(String slot) throws IOException {
        Map<String, String> env = read();
        if (slot.equals(env.get(NEXT_SLOT))) {
            env.put(NEXT_SLOT, "");
        }
        if (slot.equals(env.get(TRIED_SLOT))) {
            env.put(TRIED_SLOT, "");
        }
        env.put(releaseKey(slot), "");
        GrubEnv.write(env(), env);
        Files.deleteIfExists(slotConfig(slot));
    }

    /** A fresh install's block: slot a holds {@code release} and boots by default. */
    public static Map<String, String> installed(String release) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put(DEFAULT_SLOT, "a");
        env.put(releaseKey("a"), release);
        return env;
    }
}
