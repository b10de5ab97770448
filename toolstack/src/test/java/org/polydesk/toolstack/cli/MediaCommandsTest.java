package org.polydesk.toolstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.testsupport.TestMedia;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/** polyctl media: import by URL with progress, list, delete, and what it refuses, against a real polydeskd. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MediaCommandsTest {
    @TempDir
    Path tmp;
    TestPolydeskd polydeskd;
    PolyctlRunner polyctl;
    TestMedia.Server server;
    Path iso;

    @BeforeEach
    void start() throws Exception {
        polydeskd = TestPolydeskd.start(tmp.resolve("daemon"));
        polyctl = new PolyctlRunner(polydeskd.socket());
        iso = TestMedia.iso(tmp.resolve("netinst.iso"), "NETINST", 2 << 20);
        server = new TestMedia.Server(iso, 64 << 10, 10);
    }

    @AfterEach
    void stop() {
        server.close();
        polydeskd.close();
    }

    @Test
    void importsWithProgressListsAndDeletes() throws Exception {
        String sha = TestMedia.sha256(iso);
        PolyctlRunner.Run imported = polyctl.run("media", "import", server.url(), "--sha256", sha);
        assertEquals(0, imported.exit(), imported.err());
        String size = MediaCommands.size(Files.size(iso));
        assertTrue(imported.out().startsWith("importing netinst.iso (" + size + ")\n"), imported.out());
        assertTrue(imported.out().matches("(?s).*\n  [1-9]\\d?% \\(.*"), "progress between 1 and 99 %: " + imported.out());
        Path medium = tmp.resolve("daemon/media/netinst.iso");
        assertTrue(imported.out().endsWith("imported netinst.iso to " + medium + "  sha256 " + sha + "\n"), imported.out());

        PolyctlRunner.Run list = polyctl.run("media", "list");
        assertEquals("netinst.iso  " + size + "  label NETINST  sha256 " + sha + "  " + medium + "\n", list.out());
        assertEquals("NETINST", polyctl.json("media", "list").get(0).path("label").asText());

        assertEquals(0, polyctl.run("media", "delete", "netinst.iso").exit());
        assertFalse(Files.exists(medium));
        PolyctlRunner.Run again = polyctl.run("media", "delete", "netinst.iso");
        assertEquals(Polyctl.EXIT_NOT_FOUND, again.exit());
        assertTrue(again.err().contains("no medium netinst.iso"), again.err());
    }

    @Test
    void aWrongChecksumFailsTheCommandAndKeepsNothing() throws Exception {
        PolyctlRunner.Run r = polyctl.run("media", "import", server.url(), "--sha256", "1".repeat(64));
        assertEquals(Polyctl.EXIT_REFUSED, r.exit(), r.out());
        assertTrue(r.err().contains("as given; the copy was deleted and nothing was added"), r.err());
        assertEquals("", polyctl.run("media", "list").out());
    }

    @Test
    void badCommandLinesAreRefused() {
        PolyctlRunner.Run usb = polyctl.run("media", "import", "--usb", "/dev/sdb1");
        assertEquals(Polyctl.EXIT_USAGE, usb.exit());
        assertTrue(usb.err().contains("--usb must be DEVICE:FILE"), usb.err());
        PolyctlRunner.Run both = polyctl.run("media", "import", server.url(), "--usb", "/dev/sdb1:x.iso");
        assertEquals(Polyctl.EXIT_USAGE, both.exit(), both.err());
        PolyctlRunner.Run ftp = polyctl.run("media", "import", "ftp://example.org/x.iso");
        assertEquals(Polyctl.EXIT_REFUSED, ftp.exit());
        assertTrue(ftp.err().contains("only http and https URLs are imported"), ftp.err());
    }
}
