package org.polydesk.toolstack.definition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.vm.VmDefinition;

/**
 * Kills a process that is rewriting definitions at random moments, tens of times (hundreds in the
 * system run, {@code mvn -Psystem verify}), and checks after each kill that every definition is whole and is either the last one the writer reported
 * committed or the one it was writing: never torn, never older, never lost. It also counts the kills
 * that landed mid-write, and fails when none did: a run whose kills all fell between writes would
 * prove nothing about a torn write. Two marks, each read at the kill: the writer's last line was
 * "writing" (a save begun, not reported committed), and a store temp file (.tmp-*) was left in
 * the directory (the kill came between the temp file's creation and its rename).
 */
class VmStoreCrashTest {
    static final long BASE_MEMORY = 1024;
    private static final int VMS = 3;

    @TempDir
    Path dir;

    @Test
    void everyDefinitionIsWholeOldOrWholeNewAfterEachOfTwentyKills() throws Exception {
        killRepeatedly(20);
    }

    /** The same, ten times longer: about three minutes of JVM starts on 2 cores. */
    @Test
    @Tag("system")
    void everyDefinitionIsWholeOldOrWholeNewAfterEachOfTwoHundredKills() throws Exception {
        killRepeatedly(200);
    }

    private void killRepeatedly(int kills) throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < VMS; i++) {
            ids.add(UUID.randomUUID());
        }
        Map<UUID, Long> committed = new HashMap<>();
        Map<UUID, Long> writing = new HashMap<>();
        Random random = new Random(42);
        long generation = 0;
        int caughtMidWrite = 0;
        int killedWhileWriting = 0;
        int tempFileLeft = 0;
        for (int kill = 0; kill < kills; kill++) {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"),
                    StoreWriterProcess.class.getName(), dir.toString(), Long.toString(generation)));
            ids.forEach(id -> cmd.add(id.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            // Let it write for a random while (up to tens of writes), then kill it without warning.
            int writesBeforeKill = random.nextInt(80);
            String last = null; // the writer's last line, read before or after the kill
            for (int w = 0; w < writesBeforeKill; w++) {
                last = out.readLine();
                record(last, committed, writing);
            }
            Thread.sleep(0, random.nextInt(999_999));
            p.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroy it keeps the output readable
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            String line;
            while ((line = out.readLine()) != null) {
                record(line, committed, writing);
                last = line;
            }
            if (last != null && last.startsWith("writing ")) {
                killedWhileWriting++;
            }
            // Before load(), which deletes what a dead write left.
            try (Stream<Path> files = Files.list(dir)) {
                if (files.anyMatch(f -> f.getFileName().toString().startsWith(".tmp-"))) {
                    tempFileLeft++;
                }
            }

            VmStore.Contents c = new VmStore(dir).load();
            assertEquals(List.of(), c.problems(), "kill " + kill + " left unreadable files");
            long highest = generation;
            for (VmDefinition def : c.definitions()) {
                long onDisk = def.memoryMib() - BASE_MEMORY;
                long reported = committed.getOrDefault(def.id(), 0L);
                long inFlight = writing.getOrDefault(def.id(), 0L);
                assertTrue(onDisk == reported || onDisk == inFlight, "kill " + kill + ": " + def.id()
                        + " is at generation " + onDisk + " but " + reported + " was committed and " + inFlight + " in flight");
                if (onDisk != reported) {
                    caughtMidWrite++;
                    // The write was whole though unreported: it is what the next writer builds on.
                    committed.put(def.id(), onDisk);
                }
                highest = Math.max(highest, onDisk);
            }
            for (UUID id : committed.keySet()) {
                assertTrue(c.definitions().stream().anyMatch(d -> d.id().equals(id)), "kill " + kill + " lost " + id);
            }
            generation = highest;
        }
        System.out.println("store crash test: " + kills + " kills, " + killedWhileWriting + " while a save was under way, "
                + tempFileLeft + " leaving its temp file, " + caughtMidWrite
                + " times a definition was found at the generation being written when the kill came");
        assertTrue(killedWhileWriting > 0, "none of the " + kills + " kills came while a save was under way:"
                + " the test proved nothing about a torn write");
        assertTrue(tempFileLeft > 0, "none of the " + kills + " kills left a store temp file (.tmp-*):"
                + " no kill came between a temp file's creation and its rename");
    }

    private static void record(String line, Map<UUID, Long> committed, Map<UUID, Long> writing) {
        if (line == null) {
            return;
        }
        String[] parts = line.split(" ");
        Map<UUID, Long> target = switch (parts[0]) {
            case "committed" -> committed;
            case "writing" -> writing;
            default -> throw new AssertionError("the writer said: " + line);
        };
        target.put(UUID.fromString(parts[1]), Long.parseLong(parts[2]));
    }
}
