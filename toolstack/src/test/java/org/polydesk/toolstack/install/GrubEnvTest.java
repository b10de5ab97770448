package org.polydesk.toolstack.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our environment block against GRUB's own tool for it (grub-editenv, which shares GRUB's code for the format). */
class GrubEnvTest {
    @TempDir
    Path tmp;

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    @Test
    void grubReadsTheBlockWeWrite() throws Exception {
        Path env = tmp.resolve("grubenv");
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("default_slot", "a");
        vars.put("release_a", "0.1.0+20261205.1200.gabc1234");
        vars.put("next_slot", "");
        GrubEnv.write(env, vars);
        assertEquals(GrubEnv.SIZE, Files.size(env));
        assertEquals(List.of("default_slot=a", "release_a=0.1.0+20261205.1200.gabc1234"),
                run("grub-editenv", env.toString(), "list").lines().toList());
    }

    @Test
    void weReadWhatGrubWrites() throws Exception {
        Path env = tmp.resolve("grubenv");
        run("grub-editenv", env.toString(), "create");
        run("grub-editenv", env.toString(), "set", "default_slot=b", "next_slot=");
        Map<String, String> read = GrubEnv.read(env);
        assertEquals("b", read.get("default_slot"));
        assertEquals("", read.get("next_slot"), "GRUB's save_env of an emptied variable writes it empty");
    }

    @Test
    void aMissingBlockHasNoVariablesAndAForeignFileIsRefused() throws Exception {
        assertEquals(Map.of(), GrubEnv.read(tmp.resolve("none")));
        Files.writeString(tmp.resolve("other"), "default=0\n");
        assertThrows(IllegalArgumentException.class, () -> GrubEnv.read(tmp.resolve("other")));
    }

    @Test
    void whatGrubCouldNotReadIsRefusedBeforeWriting() {
        Path env = tmp.resolve("grubenv");
        assertThrows(IllegalArgumentException.class, () -> GrubEnv.write(env, Map.of("release_a", "two\nlines")));
        assertThrows(IllegalArgumentException.class, () -> GrubEnv.write(env, Map.of("bad name", "x")));
        assertThrows(IllegalArgumentException.class, () -> GrubEnv.write(env, Map.of("release_a", "x".repeat(1100))));
        assertEquals(false, Files.exists(env));
    }
}
