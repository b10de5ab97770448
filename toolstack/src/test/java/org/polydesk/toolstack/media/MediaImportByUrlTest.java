package org.polydesk.toolstack.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.media.MediaProgress;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.rpc.ErrorCode;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.protocol.rpc.RpcMessage;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.toolstack.ToolstackApi.MediaImport;
import org.polydesk.protocol.toolstack.ToolstackApi.MediaImportStarted;
import org.polydesk.testsupport.TestMedia;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * media.import by URL against a real polydeskd and a real ISO served over HTTP on the loopback
 * address: progress, the checksum, a connection dropped midway, and what it refuses.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MediaImportByUrlTest {
    private static final String LABEL = "POLYDESK_TEST";
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;
    Path iso;
    String sha256;
    TestMedia.Server server;

    @BeforeEach
    void start() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("daemon"));
        Files.createDirectories(tmp.resolve("served"));
        iso = TestMedia.iso(tmp.resolve("served/tiny.iso"), LABEL, 3 << 20);
        sha256 = TestMedia.sha256(iso);
        // 64 KiB every 10 ms: about half a second for the whole file, several progress reports.
        server = new TestMedia.Server(iso, 64 << 10, 10);
    }

    @AfterEach
    void stop() {
        server.close();
        polydeskd.close();
    }

    private Path library() {
        return tmp.resolve("daemon/media");
    }

    /** The progress of one import on {@code c}, to its end. */
    private static List<MediaProgress> progressToEnd(RpcClient c, String importId) throws Exception {
        List<MediaProgress> seen = new ArrayList<>();
        while (true) {
            RpcMessage m = c.nextNotification();
            if (m == null) {
                throw new AssertionError("polydeskd closed the connection before the import ended; saw " + seen);
            }
            if (ToolstackApi.MEDIA_PROGRESS.matches(m)) {
                MediaProgress p = ToolstackApi.MEDIA_PROGRESS.decode(m);
                assertEquals(importId, p.importId());
                seen.add(p);
                if (p.isFinal()) {
                    return seen;
                }
            }
        }
    }

    private List<String> libraryFiles() throws Exception {
        if (!Files.isDirectory(library())) {
            return List.of();
        }
        try (var s = Files.list(library())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void importsAnIsoByUrlWithProgressAndItsChecksumAndShowsItsLabel() throws Exception {
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null,
                    sha256.toUpperCase(), null));
            assertEquals("tiny.iso", started.name());
            assertEquals(Files.size(iso), started.bytesTotal());
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            MediaProgress end = progress.get(progress.size() - 1);
            assertEquals(MediaProgress.State.DONE, end.state(), "the import ended " + end);
            assertEquals(Files.size(iso), end.bytesDone());
            List<Long> copying = progress.stream().filter(p -> p.state() == MediaProgress.State.COPYING)
                    .map(MediaProgress::bytesDone).toList();
            long size = Files.size(iso);
            assertTrue(copying.stream().filter(b -> b > 0 && b < size).count() >= 2,
                    "progress between the start and the end: " + copying);
            for (int i = 1; i < copying.size(); i++) {
                assertTrue(copying.get(i) >= copying.get(i - 1), "progress never goes back: " + copying);
            }
        }
        List<Medium> media = polydeskd.call(ToolstackApi.MEDIA_LIST);
        assertEquals(1, media.size(), media.toString());
        Medium m = media.get(0);
        assertEquals("tiny.iso", m.name());
        assertEquals(library().resolve("tiny.iso").toString(), m.path());
        assertEquals(Files.size(iso), m.sizeBytes());
        assertEquals(sha256, m.sha256());
        assertEquals(LABEL, m.label());
        assertArrayEquals(Files.readAllBytes(iso), Files.readAllBytes(Path.of(m.path())));
        assertEquals(List.of(".tiny.iso.sha256", "tiny.iso"), libraryFiles(), "no unfinished file is left");

        // A VM's CD drive holds it: it stays until the VM lets it go.
        polydeskd.call(ToolstackApi.VM_CREATE, new ToolstackApi.VmCreate(org.polydesk.protocol.vm.VmDefinition.builder()
                .name("Installer").memoryMib(256)
                .disks(List.of(new org.polydesk.protocol.vm.Disk(m.path(), "raw", true, true, "hdc"))).build()));
        RpcClient.CallException inUse = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.MEDIA_DELETE, new ToolstackApi.MediaRef("tiny.iso")));
        assertEquals(ErrorCode.WRONG_STATE, inUse.errorCode());
        assertEquals("tiny.iso is in the CD drive of 'Installer'; eject it there, or take it out of the VM's definition,"
                + " first", inUse.getMessage());
        assertEquals(List.of(".tiny.iso.sha256", "tiny.iso"), libraryFiles(), "nothing is deleted");
        polydeskd.call(ToolstackApi.VM_DELETE, new ToolstackApi.VmRef("Installer"));

        polydeskd.call(ToolstackApi.MEDIA_DELETE, new ToolstackApi.MediaRef("tiny.iso"));
        assertEquals(List.of(), polydeskd.call(ToolstackApi.MEDIA_LIST));
        assertEquals(List.of(), libraryFiles());
    }

    @Test
    void aWrongChecksumIsRefusedAndLeavesNoFile() throws Exception {
        String wrong = "0".repeat(64);
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, wrong, null));
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            MediaProgress end = progress.get(progress.size() - 1);
            assertEquals(MediaProgress.State.FAILED, end.state(), "the import ended " + end);
            assertTrue(end.error().contains(sha256) && end.error().contains(wrong), end.error());
        }
        assertEquals(List.of(), polydeskd.call(ToolstackApi.MEDIA_LIST));
        assertEquals(List.of(), libraryFiles(), "neither the download nor its unfinished file is kept");
    }

    @Test
    void aConnectionDroppedMidwayIsContinuedWithARangeRequest() throws Exception {
        server.dropNext(1);
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, sha256, null));
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            assertEquals(MediaProgress.State.DONE, progress.get(progress.size() - 1).state(), progress.toString());
        }
        assertEquals(2, server.ranges.size(), "one request, then one for the rest: " + server.ranges);
        assertEquals("", server.ranges.get(0));
        long half = Files.size(iso) / 2;
        assertTrue(server.ranges.get(1).matches("bytes=\\d+-"), server.ranges.toString());
        long resumedAt = Long.parseLong(server.ranges.get(1).replaceAll("\\D", ""));
        assertTrue(resumedAt > 0 && resumedAt <= half, "continued at " + resumedAt + ", where the server broke off (" + half + ")");
        assertEquals(sha256, TestMedia.sha256(library().resolve("tiny.iso")));
        assertEquals(sha256, polydeskd.call(ToolstackApi.MEDIA_LIST).get(0).sha256());
    }

    @Test
    void anImportThatGaveUpIsContinuedByImportingTheSameUrlAgain() throws Exception {
        server.dropNext(1 + MediaImports.RESUMES);
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, sha256, null));
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            MediaProgress end = progress.get(progress.size() - 1);
            assertEquals(MediaProgress.State.FAILED, end.state(), progress.toString());
            assertTrue(end.error().contains("import the same URL again to continue it"), end.error());
        }
        long kept = Files.size(library().resolve(".tiny.iso.part"));
        assertTrue(kept > 0 && kept < Files.size(iso), "the unfinished file is kept: " + kept);
        assertEquals(List.of(new Medium("tiny.iso", null, kept, null, null, server.url())), polydeskd.call(ToolstackApi.MEDIA_LIST),
                "listed as unfinished, with no path a VM could be given");

        server.ranges.clear();
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, sha256, null));
            assertEquals(Files.size(iso), started.bytesTotal());
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            assertEquals(MediaProgress.State.DONE, progress.get(progress.size() - 1).state(), progress.toString());
            assertEquals(kept, progress.get(0).bytesDone(), "the first report counts what was there already");
        }
        assertEquals(List.of("bytes=" + kept + "-"), server.ranges, "only the rest was asked for");
        assertEquals(sha256, TestMedia.sha256(library().resolve("tiny.iso")));
        assertEquals(List.of(".tiny.iso.sha256", "tiny.iso"), libraryFiles());
    }

    @Test
    void anUnfinishedDownloadCanBeDeleted() throws Exception {
        server.dropNext(1 + MediaImports.RESUMES);
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, null, null));
            assertEquals(MediaProgress.State.FAILED, progressToEnd(c, started.importId()).stream()
                    .reduce((a, b) -> b).orElseThrow().state());
        }
        assertEquals(List.of(".tiny.iso.part", ".tiny.iso.part.url"), libraryFiles());
        polydeskd.call(ToolstackApi.MEDIA_DELETE, new ToolstackApi.MediaRef("tiny.iso"));
        assertEquals(List.of(), libraryFiles(), "the unfinished file and its URL are gone");
        assertEquals(List.of(), polydeskd.call(ToolstackApi.MEDIA_LIST));
    }

    @Test
    void aDiskThatFillsUpEndsTheDownloadAtOnceNotARetry() throws Exception {
        // The unfinished file of an earlier import of this URL is /dev/full: every write fails with ENOSPC.
        Files.createDirectories(library());
        Files.createSymbolicLink(library().resolve(".tiny.iso.part"), Path.of("/dev/full"));
        Files.writeString(library().resolve(".tiny.iso.part.url"), server.url() + "\n");
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, sha256, null));
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            MediaProgress end = progress.get(progress.size() - 1);
            assertEquals(MediaProgress.State.FAILED, end.state(), progress.toString());
            assertTrue(end.error().startsWith("cannot write " + library().resolve(".tiny.iso.part") + ": No space left on device"),
                    end.error());
            assertTrue(end.error().endsWith("make room and import the same URL again to continue"), end.error());
        }
        assertEquals(List.of(""), server.ranges, "the server was asked once, not again for each retry");
        assertEquals(List.of(), polydeskd.call(ToolstackApi.MEDIA_LIST));
    }

    @Test
    void badImportsAreRefusedBeforeAnythingIsWritten() throws Exception {
        for (MediaImport bad : List.of(
                new MediaImport("file:///etc/passwd", null, null, null, null),
                new MediaImport("ftp://127.0.0.1/x.iso", null, null, null, null),
                new MediaImport("not a url", null, null, null, null),
                new MediaImport(server.url(), null, null, "abc", null),
                new MediaImport(server.url(), null, null, null, "../../etc/passwd"),
                new MediaImport(server.url(), null, null, null, ".hidden.iso"),
                new MediaImport(server.url(), "/dev/sdb1", "x.iso", null, null),
                new MediaImport(null, null, null, null, null))) {
            RpcClient.CallException e = assertThrows(RpcClient.CallException.class,
                    () -> polydeskd.call(ToolstackApi.MEDIA_IMPORT, bad));
            assertEquals(ErrorCode.INVALID_PARAMS, e.errorCode(), bad + ": " + e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("etc")), "nothing written outside the library");
        assertEquals(List.of(), libraryFiles());
    }

    @Test
    void aUrlNamingATraversalGivesAHarmlessName() throws Exception {
        // The last part of the path decodes to "../../etc/tiny.iso".
        server.close();
        Path served = tmp.resolve("served/..%2F..%2Fetc%2Ftiny.iso");
        Files.copy(iso, served);
        server = new TestMedia.Server(served, 1 << 20, 0);
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, null, null));
            assertEquals("etc_tiny.iso", started.name());
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            assertEquals(MediaProgress.State.DONE, progress.get(progress.size() - 1).state(), progress.toString());
        }
        assertEquals(List.of(".etc_tiny.iso.sha256", "etc_tiny.iso"), libraryFiles());
        assertFalse(Files.exists(tmp.resolve("daemon/etc")));
    }

    @Test
    void anExistingMediumIsNeverOverwritten() throws Exception {
        Files.createDirectories(library());
        Files.writeString(library().resolve("tiny.iso"), "the user's own");
        RpcClient.CallException e = assertThrows(RpcClient.CallException.class, () -> polydeskd.call(ToolstackApi.MEDIA_IMPORT,
                new MediaImport(server.url(), null, null, null, null)));
        assertEquals(ErrorCode.STORE_FAILED, e.errorCode());
        assertTrue(e.getMessage().contains("has a medium tiny.iso already"), e.getMessage());
        assertEquals("the user's own", Files.readString(library().resolve("tiny.iso")));
        assertEquals(List.of(), server.ranges, "nothing was downloaded");
    }

    @Test
    void aFileLargerThanTheFreeSpaceIsRefusedNamingBothSizes() throws Exception {
        long huge = 1L << 55;
        server.announce(huge);
        RpcClient.CallException e = assertThrows(RpcClient.CallException.class, () -> polydeskd.call(ToolstackApi.MEDIA_IMPORT,
                new MediaImport(server.url(), null, null, null, null)));
        assertEquals(ErrorCode.STORE_FAILED, e.errorCode());
        assertTrue(e.getMessage().contains("not enough space") && e.getMessage().contains(huge + " bytes")
                && e.getMessage().matches("(?s).*, [0-9.]+ [GM]B \\(\\d+ bytes\\) are free.*"), e.getMessage());
        assertEquals(List.of(), libraryFiles());
    }

    @Test
    void aMissingFileOrServerIsACleanError() throws Exception {
        RpcClient.CallException notThere = assertThrows(RpcClient.CallException.class, () -> polydeskd.call(
                ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url("other.iso"), null, null, null, null)));
        assertEquals(ErrorCode.BACKEND_FAILED, notThere.errorCode());
        assertTrue(notThere.getMessage().contains("HTTP 404"), notThere.getMessage());
        String url = server.url();
        server.close();
        RpcClient.CallException gone = assertThrows(RpcClient.CallException.class, () -> polydeskd.call(
                ToolstackApi.MEDIA_IMPORT, new MediaImport(url, null, null, null, null)));
        assertEquals(ErrorCode.BACKEND_FAILED, gone.errorCode());
        assertTrue(gone.getMessage().startsWith("cannot download " + url), gone.getMessage());
        assertEquals(List.of(), libraryFiles());
        // The name is free again: nothing holds it after a refusal.
        server = new TestMedia.Server(iso, 1 << 20, 0);
        try (RpcClient c = polydeskd.connect()) {
            MediaImportStarted started = c.call(ToolstackApi.MEDIA_IMPORT, new MediaImport(server.url(), null, null, null, null));
            List<MediaProgress> progress = progressToEnd(c, started.importId());
            assertEquals(MediaProgress.State.DONE, progress.get(progress.size() - 1).state(), progress.toString());
        }
    }

    @Test
    void deletingWhatIsNotThereIsRefused() throws Exception {
        RpcClient.CallException missing = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.MEDIA_DELETE, new ToolstackApi.MediaRef("none.iso")));
        assertEquals(ErrorCode.NOT_FOUND, missing.errorCode());
        RpcClient.CallException traversal = assertThrows(RpcClient.CallException.class,
                () -> polydeskd.call(ToolstackApi.MEDIA_DELETE, new ToolstackApi.MediaRef("../vms")));
        assertEquals(ErrorCode.INVALID_PARAMS, traversal.errorCode());
        assertTrue(Files.isDirectory(tmp.resolve("daemon/vms")), "the VM store is untouched");
    }
}
