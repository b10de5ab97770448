package org.polydesk.display.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The kernel's framebuffer console (fbcon), bound to the framebuffer to show it and unbound to hide
 * it, through /sys/class/vtconsole (as /usr/lib/polydesk/text-console does when the display server
 * starts and stops). Binding makes fbcon draw the foreground virtual terminal whole: its login
 * prompt, or the administrator's shell as it was left.
 */
public final class FbconConsole implements TextConsole {
    public static final Path SYSFS = Path.of("/sys/class/vtconsole");
    private final Path vtconsoles;

    public FbconConsole(Path vtconsoles) {
        this.vtconsoles = vtconsoles;
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
        bind("1");
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
