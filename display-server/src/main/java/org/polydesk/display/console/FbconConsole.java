package org.polydesk.display.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The kernel's framebuffer console (fbcon), put on the framebuffer to show it and unbound to hide
 * it (through /sys/class/vtconsole, as /usr/lib/polydesk/text-console does when the display server
 * starts and stops). Showing makes fbcon draw the foreground virtual terminal whole: its login
 * prompt, or the administrator's shell as it was left. An unbound fbcon has forgotten its
 * framebuffer, so writing 1 to {@code bind} alone does nothing: the terminals are mapped to the
 * framebuffer again ({@link Takeover}, FBIOPUT_CON2FBMAP), which makes fbcon take them over.
 */
public final class FbconConsole implements TextConsole {
    public static final Path SYSFS = Path.of("/sys/class/vtconsole");
    private final Path vtconsoles;
    private final Takeover takeover;

    /** Maps the terminals to the framebuffer again (fbcon takes them over if it is unbound). */
    @FunctionalInterface
    public interface Takeover {
        void mapToFramebuffer() throws IOException;
    }

    public FbconConsole(Path vtconsoles, Takeover takeover) {
        this.vtconsoles = vtconsoles;
        this.takeover = takeover;
    }

    /** The vtconsole entries that are fbcon's ("frame buffer device" in their name). */
    List<Path> framebufferConsoles() throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(vtconsoles)) {
            throw new IOException(vtconsoles + " does not exist: no virtual terminals here");
        }
        try (Stream<Path> entries = Files.list(vtconsoles)) {
            for (Path vt : entries.sorted().toList()) {
                Path name = vt.resolve("name");
                if (Files.isReadable(name) && Files.readString(name).contains("frame buffer")) {
                    found.add(vt);
                }
            }
        }
        if (found.isEmpty()) {
            throw new IOException("no framebuffer console (fbcon) in " + vtconsoles);
        }
        return found;
    }

    @Override
    public void show() throws IOException {
        List<Path> fbcon = framebufferConsoles();
        takeover.mapToFramebuffer();
        for (Path vt : fbcon) {
            if (!Files.readString(vt.resolve("bind")).strip().equals("1")) {
                throw new IOException("fbcon did not take the terminals over (" + vt.resolve("bind") + " is still 0)");
            }
        }
    }

    @Override
    public void hide() throws IOException {
        bind("0");
    }

    private void bind(String value) throws IOException {
        for (Path vt : framebufferConsoles()) {
            Files.writeString(vt.resolve("bind"), value);
        }
    }

    @Override
    public String describe() {
        return "fbcon through " + vtconsoles;
    }
}
