package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The installed system's keyboard layout: an XKB layout like {@code de} and an optional variant like
 * {@code nodeadkeys}, checked against the XKB rules of the system that is copied. It is written to
 * {@code /etc/default/keyboard}, which console-setup applies to the text consoles and the control UI's
 * launcher to its Xvnc; a VM's own operating system keeps its own layout (it is sent key codes).
 */
public record Keyboard(String layout, String variant) {
    /** The layout is fine, the variant is not (install.start names the field it came from). */
    public static final class BadVariant extends InstallException {
        BadVariant(String message) {
            super(message);
        }
    }

    /** The XKB rules' list of layouts and variants (Debian's xkb-data). */
    public static final Path RULES = Path.of("/usr/share/X11/xkb/rules/base.lst");
    private static final Pattern LAYOUT = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    /** Variants have capitals and digits first too: de's T3, cz's 101_qwertz_comma_dead. */
    private static final Pattern VARIANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,47}");

    /** {@code variant} null or blank is the layout's default variant. */
    public static Keyboard of(String layout, String variant, Path rules) throws InstallException {
        String v = variant == null || variant.isBlank() ? null : variant.strip();
        if (layout == null) {
            throw new InstallException("a keyboard " + (v == null ? "" : "variant needs its ")
                    + "layout, an XKB name like us, de, fr or gb");
        }
        if (!LAYOUT.matcher(layout).matches()) {
            throw new InstallException("a keyboard layout is an XKB name like us, de, fr or gb, not '" + layout + "'");
        }
        if (v != null && !VARIANT.matcher(v).matches()) {
            throw new BadVariant("a keyboard variant is an XKB name like nodeadkeys or dvorak, not '" + v + "'");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(rules);
        } catch (IOException e) {
            throw new InstallException("cannot read the keyboard layouts (" + rules + "): " + e.getMessage(), e);
        }
        if (!section(lines, "layout").stream().anyMatch(l -> name(l).equals(layout))) {
            throw new InstallException("unknown keyboard layout '" + layout + "' (the layouts are those of " + rules
                    + ", like us, de, fr or gb)");
        }
        // A variant's line names its layout: "  nodeadkeys      de: German (no dead keys)".
        if (v != null && !section(lines, "variant").stream()
                .anyMatch(l -> name(l).equals(v) && description(l).startsWith(layout + ":"))) {
            throw new BadVariant("layout '" + layout + "' has no variant '" + v + "' (see " + rules + ")");
        }
        return new Keyboard(layout, v);
    }

    /** The file's text as keyboard-configuration writes it. */
    public String defaultKeyboardFile() {
        return "# Written by the Polydesk installer; read by console-setup and the control UI's Xvnc.\n"
                + "XKBMODEL=\"pc105\"\nXKBLAYOUT=\"" + layout + "\"\nXKBVARIANT=\"" + (variant == null ? "" : variant)
                + "\"\nXKBOPTIONS=\"\"\nBACKSPACE=\"guess\"\n";
    }

    /** Written under {@code target} through a temporary file and a rename, so a crash leaves the old or the new. */
    void write(Path target) throws IOException {
        Path file = target.resolve("etc/default/keyboard");
        Files.createDirectories(file.getParent());
        Path fresh = file.resolveSibling(".keyboard.polydesk");
        Files.writeString(fresh, defaultKeyboardFile());
        Files.move(fresh, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public String toString() {
        return variant == null ? layout : layout + " (" + variant + ")";
    }

    private static List<String> section(List<String> lines, String name) {
        int start = lines.indexOf("! " + name);
        if (start < 0) {
            return List.of();
        }
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("!")) {
            end++;
        }
        return lines.subList(start + 1, end).stream().filter(l -> !l.isBlank()).toList();
    }

    private static String name(String line) {
        String s = line.strip();
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    private static String description(String line) {
        String s = line.strip();
        int space = s.indexOf(' ');
        return space < 0 ? "" : s.substring(space).strip();
    }
}
