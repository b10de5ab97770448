package org.polydesk.toolstack.install;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What an update carries from the running system's root into the new one, which comes fresh from
 * the ISO: the mounts (fstab, with the new root's UUID; crypttab), the machine's name, time zone
 * and keyboard, its identity (machine-id, ssh host keys), the uplink's saved connections (Wi-Fi
 * passwords), ssh logins switched on, and the people: accounts the installer or the administrator
 * made (uid/gid 1000 and up) with their group memberships, and /home. Everything else in /etc is
 * the new release's. VM definitions, disks and settings are on the VM store and are not touched.
 */
public final class SystemState {
    /** Files and directories taken as they are, where the old system has them. */
    static final List<String> CARRIED = List.of("etc/crypttab", "etc/hostname", "etc/hosts", "etc/timezone",
            "etc/localtime", "etc/default/keyboard", "etc/machine-id", "etc/polydesk/installed",
            "etc/NetworkManager/system-connections",
            // sshd enabled by the administrator (host.ssh.set): systemctl enable's links
            "etc/systemd/system/multi-user.target.wants/ssh.service", "etc/systemd/system/sshd.service");
    static final int FIRST_PERSON_ID = 1000, NOBODY_ID = 65534;

    private SystemState() {
    }

    /** Carries the state of the root {@code from} into {@code to}, whose file system has UUID {@code rootUuid}; returns what it did. */
    public static List<String> carry(Path from, Path to, String rootUuid) throws IOException {
        List<String> done = new ArrayList<>();
        Files.writeString(to.resolve("etc/fstab"), fstab(Files.readString(from.resolve("etc/fstab")), rootUuid));
        done.add("/etc/fstab (root UUID=" + rootUuid + ")");
        for (String rel : CARRIED) {
            if (copy(from.resolve(rel), to.resolve(rel))) {
                done.add("/" + rel);
            }
        }
        try (Stream<Path> keys = Files.isDirectory(from.resolve("etc/ssh")) ? Files.list(from.resolve("etc/ssh")) : Stream.empty()) {
            for (Path key : keys.filter(p -> p.getFileName().toString().startsWith("ssh_host_")).toList()) {
                copy(key, to.resolve("etc/ssh").resolve(key.getFileName().toString()));
                done.add("/etc/ssh/" + key.getFileName());
            }
        }
        List<String> people = accounts(from, to);
        if (!people.isEmpty()) {
            done.add("accounts " + String.join(", ", people));
        }
        if (copy(from.resolve("home"), to.resolve("home"))) {
            done.add("/home");
        }
        return done;
    }

    /** The old fstab with the root's line pointing at the new root. */
    static String fstab(String old, String rootUuid) throws IOException {
        StringBuilder b = new StringBuilder();
        boolean root = false;
        for (String line : old.split("\n", -1)) {
            String[] f = line.strip().split("\\s+");
            if (!line.strip().startsWith("#") && f.length >= 2 && f[1].equals("/")) {
                b.append(line.replaceFirst("^\\s*\\S+", "UUID=" + rootUuid));
                root = true;
            } else {
                b.append(line);
            }
            b.append('\n');
        }
        if (!root) {
            throw new IOException("the running system's /etc/fstab has no line for /");
        }
        return b.substring(0, b.length() - 1);
    }

    /** Copies a file, link or directory tree; false when {@code src} does not exist. */
    static boolean copy(Path src, Path dst) throws IOException {
        if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Files.createDirectories(dst.getParent());
        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> tree = Files.walk(src)) {
                for (Path p : tree.toList()) {
                    Path d = dst.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        if (!Files.isDirectory(d)) {
                            Files.copy(p, d, StandardCopyOption.COPY_ATTRIBUTES);
                        }
                    } else {
                        Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                                LinkOption.NOFOLLOW_LINKS);
                    }
                    owner(p, d);
                }
            }
        } else {
            Files.deleteIfExists(dst);
            Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            owner(src, dst);
        }
        return true;
    }

    /** Keeps the numeric owner (a home belongs to its person; COPY_ATTRIBUTES keeps times and mode only). */
    private static void owner(Path src, Path dst) throws IOException {
        try {
            Object uid = Files.getAttribute(src, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object gid = Files.getAttribute(src, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            if (!uid.equals(Files.getAttribute(dst, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
                Files.setAttribute(dst, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            }
            if (!gid.equals(Files.getAttribute(dst, "unix:gid", LinkOption.NOFOLLOW_LINKS))) {
                Files.setAttribute(dst, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Only root may give a file away; a test that runs as someone else keeps its copies.
            if ("root".equals(System.getProperty("user.name"))) {
                throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            }
        }
    }

    /**
     * The people's accounts: each user and group of the old system from id 1000 up that the new one
     * lacks is added (passwd and shadow, group and gshadow), and the members of every group the two
     * share are the union of both (the administrator stays in sudo and polydesk).
     */
    static List<String> accounts(Path from, Path to) throws IOException {
        Map<String, String[]> oldUsers = table(from.resolve("etc/passwd"));
        Map<String, String[]> newUsers = table(to.resolve("etc/passwd"));
        Map<String, String[]> oldShadow = table(from.resolve("etc/shadow"));
        Map<String, String[]> newShadow = table(to.resolve("etc/shadow"));
        List<String> added = new ArrayList<>();
        for (String[] u : oldUsers.values()) {
            if (person(u[2]) && !newUsers.containsKey(u[0])) {
                newUsers.put(u[0], u);
                if (oldShadow.containsKey(u[0])) {
                    newShadow.put(u[0], oldShadow.get(u[0]));
                }
                added.add(u[0]);
            }
        }
        Map<String, String[]> oldGroups = table(from.resolve("etc/group"));
        Map<String, String[]> newGroups = table(to.resolve("etc/group"));
        Map<String, String[]> oldGshadow = table(from.resolve("etc/gshadow"));
        Map<String, String[]> newGshadow = table(to.resolve("etc/gshadow"));
        for (String[] g : oldGroups.values()) {
            String[] mine = newGroups.get(g[0]);
            if (mine == null) {
                if (person(g[2])) {
                    newGroups.put(g[0], g);
                    if (oldGshadow.containsKey(g[0])) {
                        newGshadow.put(g[0], oldGshadow.get(g[0]));
                    }
                }
                continue;
            }
            mine[3] = union(mine[3], g[3]);
            String[] gs = newGshadow.get(g[0]);
            String[] oldGs = oldGshadow.get(g[0]);
            if (gs != null && oldGs != null) {
                gs[3] = union(gs[3], oldGs[3]);
            }
        }
        write(to.resolve("etc/passwd"), newUsers, 7);
        write(to.resolve("etc/shadow"), newShadow, 9);
        write(to.resolve("etc/group"), newGroups, 4);
        write(to.resolve("etc/gshadow"), newGshadow, 4);
        return added;
    }

    private static boolean person(String id) {
        try {
            long n = Long.parseLong(id);
            return n >= FIRST_PERSON_ID && n < NOBODY_ID;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String union(String a, String b) {
        Set<String> all = new LinkedHashSet<>();
        for (String s : (a + "," + b).split(",")) {
            if (!s.isBlank()) {
                all.add(s.strip());
            }
        }
        return String.join(",", all);
    }

    private static Map<String, String[]> table(Path file) throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return rows;
        }
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                String[] f = line.split(":", -1);
                rows.put(f[0], f);
            }
        }
        return rows;
    }

    /** Rewrites an account table in place of the old one (same mode and owner: shadow stays root's, 0640). */
    private static void write(Path file, Map<String, String[]> rows, int fields) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (String[] f : rows.values()) {
            String[] padded = java.util.Arrays.copyOf(f, Math.max(f.length, fields));
            for (int i = 0; i < padded.length; i++) {
                padded[i] = padded[i] == null ? "" : padded[i];
            }
            b.append(String.join(":", padded)).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + "+");
        try {
            Files.copy(file, tmp, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.NoSuchFileException | FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
        }
        Files.writeString(tmp, b.toString());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
