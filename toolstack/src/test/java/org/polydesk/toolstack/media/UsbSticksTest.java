package org.polydesk.toolstack.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.media.MediaProgress;
import org.polydesk.protocol.media.UsbIsoFile;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcException;
import org.polydesk.protocol.toolstack.ToolstackApi.MediaImport;
import org.polydesk.testsupport.TestMedia;
import org.polydesk.toolstack.install.CommandRunner;
import org.polydesk.toolstack.install.FakeSys;
import org.polydesk.toolstack.install.InstallException;

/**
 * Which disks are offered as sticks, and what an import from one refuses, over a made-up sysfs and a
 * mount double that fills the mount point with a prepared tree (the real mount of a real stick runs
 * in {@code MediaUsbInGuestTest}).
 */
class UsbSticksTest {
    @TempDir
    Path tmp;
    FakeSys sys;
    /** What each device's file system holds; a device without one cannot be mounted. */
    final Map<String, Path> fileSystems = new java.util.HashMap<>();
    /** The type blkid tells of each device's file system (vfat unless set). */
    final Map<String, String> types = new java.util.HashMap<>();
    final List<List<String>> commands = new CopyOnWriteArrayList<>();
    UsbSticks sticks;
    MediaLibrary library;
    MediaImports imports;
    Path iso;

    @BeforeEach
    void setUp() throws Exception {
        sys = new FakeSys(tmp)
                .disk("sda", 20L << 30, "sda1")
                .disk("sdb", 8L << 30, "sdb1", "sdb2").removable("sdb")
                .disk("sdc", 4L << 30).removable("sdc")
                .disk("sdd", 4L << 30, "sdd1").removable("sdd");
        String mounts = "/dev/sda1 / ext4 rw 0 0\n/dev/sdd1 /run/live/medium iso9660 ro 0 0\n";
        sticks = new UsbSticks(() -> sys.devices(mounts), new MountDouble(), tmp.resolve("run/media-mounts"));
        library = new MediaLibrary(tmp.resolve("media"));
        imports = new MediaImports(library, sticks);
        Path stick = Files.createDirectories(tmp.resolve("stick-sdb1/isos/debian"));
        iso = TestMedia.iso(stick.resolve("debian-12.ISO"), "DEBIAN_TEST", 1 << 20);
        Files.writeString(tmp.resolve("stick-sdb1/notes.txt"), "not a medium");
        Files.createDirectories(tmp.resolve("secret"));
        Files.writeString(tmp.resolve("secret/shadow.iso"), "outside the stick");
        Files.createSymbolicLink(tmp.resolve("stick-sdb1/escape.iso"), tmp.resolve("secret/shadow.iso"));
        Files.createDirectories(tmp.resolve("stick-sdb1/a/b/c/d/e"));
        Files.writeString(tmp.resolve("stick-sdb1/a/b/c/d/e/too-deep.iso"), "x");
        fileSystems.put(sys.dev.resolve("sdb1").toString(), tmp.resolve("stick-sdb1"));
        Files.createDirectories(tmp.resolve("stick-sdc"));
        Files.copy(iso, tmp.resolve("stick-sdc/whole.iso"));
        fileSystems.put(sys.dev.resolve("sdc").toString(), tmp.resolve("stick-sdc"));
        types.put(sys.dev.resolve("sdc").toString(), "ext4");
    }

    /** blkid tells the type of a device's file system; mount fills the mount point with its tree (links kept); umount empties it. */
    private final class MountDouble implements CommandRunner {
        @Override
        public Result run(List<String> command, String input) throws InstallException {
            commands.add(command);
            try {
                if (command.get(0).equals("blkid")) {
                    String device = command.get(command.size() - 1);
                    return fileSystems.containsKey(device) ? new Result(0, types.getOrDefault(device, "vfat") + "\n", "")
                            : new Result(2, "", "");
                }
                if (command.get(0).equals("mount")) {
                    Path tree = fileSystems.get(command.get(3));
                    if (tree == null) {
                        return new Result(32, "", "mount: " + command.get(4) + ": wrong fs type, bad option, bad superblock on "
                                + command.get(3));
                    }
                    Process p = new ProcessBuilder("cp", "-a", tree + "/.", command.get(4)).start();
                    return new Result(p.waitFor(), "", "");
                }
                if (command.get(0).equals("umount")) {
                    Process p = new ProcessBuilder("sh", "-c", "rm -rf \"$1\"/* \"$1\"/.[!.]*", "sh", command.get(command.size() - 1))
                            .start();
                    return new Result(p.waitFor(), "", "");
                }
            } catch (IOException | InterruptedException e) {
                throw new InstallException(e.getMessage(), e);
            }
            throw new InstallException("the mount double runs blkid, mount and umount only, not " + command);
        }

        @Override
        public Process start(List<String> command) {
            throw new UnsupportedOperationException();
        }
    }

    private void assertEverythingUnmounted() throws IOException {
        long mounts = commands.stream().filter(c -> c.get(0).equals("mount")).count();
        long umounts = commands.stream().filter(c -> c.get(0).equals("umount")).count();
        for (List<String> c : commands) {
            if (c.get(0).equals("mount")) {
                // sdc's ext4 is mounted without loading its journal, which a read-only mount would replay onto the stick.
                String options = types.containsKey(c.get(3)) ? "ro,nosuid,nodev,noexec,noload" : "ro,nosuid,nodev,noexec";
                assertEquals(List.of("-o", options), c.subList(1, 3), "read-only, no devices, set-uid or programs");
            }
        }
        Path root = tmp.resolve("run/media-mounts");
        try (var s = Files.list(root)) {
            assertEquals(List.of(), s.toList(), "every mount point is gone");
        }
        long succeeded = commands.stream().filter(c -> c.get(0).equals("mount") && fileSystems.containsKey(c.get(3))).count();
        assertEquals(succeeded, umounts, "every mount is undone: " + commands + " (" + mounts + " mounts)");
    }

    @Test
    void offersTheRemovableDisksButNotTheOnePolydeskRunsFrom() throws Exception {
        assertEquals(List.of(sys.dev.resolve("sdb1").toString(), sys.dev.resolve("sdb2").toString(), sys.dev.resolve("sdc").toString()),
                sticks.partitions().stream().map(UsbSticks.Partition::device).toList());
    }

    @Test
    void listsTheIsoFilesOfEveryStickAndUnmountsThem() throws Exception {
        List<UsbIsoFile> files = sticks.isoFiles();
        assertEquals(List.of(
                new UsbIsoFile(sys.dev.resolve("sdb1").toString(), "QEMU HARDDISK", "isos/debian/debian-12.ISO", Files.size(iso)),
                new UsbIsoFile(sys.dev.resolve("sdc").toString(), "QEMU HARDDISK", "whole.iso", Files.size(iso))), files,
                "ISO files in any case, links and files deeper than four folders passed over; sdb2 has no file system");
        assertEverythingUnmounted();
    }

    private List<MediaProgress> run(MediaImports.Job job, BlockingQueue<MediaProgress> q) throws Exception {
        job.start();
        List<MediaProgress> seen = new ArrayList<>();
        while (seen.isEmpty() || !seen.get(seen.size() - 1).isFinal()) {
            MediaProgress p = q.poll(30, TimeUnit.SECONDS);
            if (p == null) {
                throw new AssertionError("no end of the import within 30 s: " + seen);
            }
            seen.add(p);
        }
        return seen;
    }

    @Test
    void importsAnIsoFromAStickWithItsChecksum() throws Exception {
        BlockingQueue<MediaProgress> q = new LinkedBlockingQueue<>();
        String sha = TestMedia.sha256(iso);
        MediaImports.Job job = imports.prepare(new MediaImport(null, sys.dev.resolve("sdb1").toString(),
                "isos/debian/debian-12.ISO", sha, null), q::add);
        assertEquals("debian-12.ISO", job.started().name());
        assertEquals(Files.size(iso), job.started().bytesTotal());
        List<MediaProgress> seen = run(job, q);
        assertEquals(MediaProgress.State.DONE, seen.get(seen.size() - 1).state(), seen.toString());
        assertArrayEquals(Files.readAllBytes(iso), Files.readAllBytes(tmp.resolve("media/debian-12.ISO")));
        assertEquals("DEBIAN_TEST", library.list().get(0).label());
        assertEquals(sha, library.list().get(0).sha256());
        assertEverythingUnmounted();
    }

    @Test
    void aWrongChecksumFromAStickKeepsNothing() throws Exception {
        BlockingQueue<MediaProgress> q = new LinkedBlockingQueue<>();
        List<MediaProgress> seen = run(imports.prepare(new MediaImport(null, sys.dev.resolve("sdc").toString(), "whole.iso",
                "f".repeat(64), "renamed.iso"), q::add), q);
        MediaProgress end = seen.get(seen.size() - 1);
        assertEquals(MediaProgress.State.FAILED, end.state());
        assertTrue(end.error().contains("f".repeat(64)), end.error());
        try (var s = Files.list(tmp.resolve("media"))) {
            assertEquals(List.of(), s.toList());
        }
        assertEverythingUnmounted();
    }

    @Test
    void refusesWhatIsNotAnIsoOnAStick() throws Exception {
        String sdb1 = sys.dev.resolve("sdb1").toString();
        record Case(MediaImport params, ErrorCode code, String says) {
        }
        for (Case c : List.of(
                new Case(new MediaImport(null, sdb1, "../../secret/shadow.iso", null, null), ErrorCode.INVALID_PARAMS, "inside the stick"),
                new Case(new MediaImport(null, sdb1, "notes.txt", null, null), ErrorCode.INVALID_PARAMS, ".iso file"),
                new Case(new MediaImport(null, sdb1, "escape.iso", null, null), ErrorCode.NOT_FOUND, "no ISO file escape.iso"),
                new Case(new MediaImport(null, sdb1, "missing.iso", null, null), ErrorCode.NOT_FOUND, "no ISO file missing.iso"),
                new Case(new MediaImport(null, sys.dev.resolve("sda1").toString(), "x.iso", null, null), ErrorCode.NOT_FOUND,
                        "no partition of a removable disk"),
                new Case(new MediaImport(null, sys.dev.resolve("sdd1").toString(), "x.iso", null, null), ErrorCode.NOT_FOUND,
                        "no partition of a removable disk"),
                new Case(new MediaImport(null, sys.dev.resolve("sdb2").toString(), "x.iso", null, null), ErrorCode.BACKEND_FAILED,
                        "cannot mount"),
                new Case(new MediaImport(null, sdb1, "isos/debian/debian-12.ISO", null, "../x.iso"), ErrorCode.INVALID_PARAMS,
                        "a medium's name"),
                new Case(new MediaImport(null, null, "x.iso", null, null), ErrorCode.INVALID_PARAMS, "usbDevice"))) {
            RpcException e = assertThrows(RpcException.class, () -> imports.prepare(c.params(), p -> { }), c.toString());
            assertEquals(c.code(), e.code(), c + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(c.says()), c + ": " + e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("media/shadow.iso")));
        assertEquals("outside the stick", Files.readString(tmp.resolve("secret/shadow.iso")));
        assertEverythingUnmounted();
    }

    @Test
    void anExistingMediumIsNotOverwrittenFromAStick() throws Exception {
        Files.createDirectories(tmp.resolve("media"));
        Files.writeString(tmp.resolve("media/whole.iso"), "mine");
        RpcException e = assertThrows(RpcException.class, () -> imports.prepare(new MediaImport(null,
                sys.dev.resolve("sdc").toString(), "whole.iso", null, null), p -> { }));
        assertEquals(ErrorCode.STORE_FAILED, e.code());
        assertEquals("mine", Files.readString(tmp.resolve("media/whole.iso")));
    }
}
