package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.polydesk.toolstack.definition.AtomicFile;

/**
 * GRUB's environment block (grubenv), which the boot menu reads with load_env and changes with
 * save_env: exactly 1024 bytes, a header line, NAME=VALUE lines, '#' padding. GRUB rewrites the
 * file's sectors in place, so it must keep its size; we write it whole and atomically.
 */
public final class GrubEnv {
    static final int SIZE = 1024;
    static final String HEADER = "# GRUB Environment Block\n";

    private GrubEnv() {
    }

    /** The variables of a block; a file that is missing reads as none. */
    public static Map<String, String> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    static Map<String, String> parse(String text) {
        if (!text.startsWith(HEADER)) {
            throw new IllegalArgumentException("not a GRUB environment block (no '" + HEADER.strip() + "' header)");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : text.substring(HEADER.length()).split("\n")) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq <= 0) {
                continue;
            }
            vars.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return vars;
    }

    static byte[] format(Map<String, String> vars) {
        StringBuilder b = new StringBuilder(HEADER);
        vars.forEach((k, v) -> {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*") || v.indexOf('\n') >= 0 || v.indexOf('\\') >= 0) {
                throw new IllegalArgumentException("not a GRUB environment variable: " + k + "=" + v);
            }
            if (!v.isEmpty()) {
                b.append(k).append('=').append(v).append('\n');
            }
        });
        byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
        if (text.length > SIZE) {
            throw new IllegalArgumentException("the GRUB environment holds " + text.length + " bytes; a block has " + SIZE);
        }
        byte[] block = new byte[SIZE];
        java.util.Arrays.fill(block, (byte) '#');
        System.arraycopy(text, 0, block, 0, text.length);
        return block;
    }

    /** Writes {@code vars} (an empty value removes the variable) as the whole block. */
    public static void write(Path file, Map<String, String> vars) throws IOException {
        AtomicFile.write(file, format(vars));
    }
}
