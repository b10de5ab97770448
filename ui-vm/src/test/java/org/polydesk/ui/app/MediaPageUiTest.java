package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polydesk.protocol.media.Medium;
import org.polydesk.protocol.media.UsbIsoFile;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.testsupport.TestMedia;
import org.polydesk.toolstack.daemon.TestPolydeskd;

/**
 * The Media page against a real polydeskd (a child JVM, stub backend) and an ISO served over HTTP on
 * the loopback address: a download with its progress bar and checksum, a refused checksum, the
 * import button off while one runs, deleting a medium, and what the USB sticks hold.
 */
class MediaPageUiTest {
    @TempDir
    Path tmp;
    UiFixture ui;
    TestMedia.Server server;
    Path iso;

    @BeforeEach
    void open() throws Exception {
        iso = TestMedia.iso(tmp.resolve("rescue.iso"), "RESCUE_CD", 3 << 20);
        // 64 KiB every 40 ms: about two seconds, long enough to see the bar move.
        server = new TestMedia.Server(iso, 64 << 10, 40);
        ui = new UiFixture(PolydeskdProcess.startMain(TestPolydeskd.MAIN_CLASS, tmp.resolve("daemon"), "--stub-backend")).open();
        ui.await("the connection", 15, () -> !ui.visible("#banner"), () -> ui.text("#banner"));
        ui.robot.clickOn("#nav-media");
        ui.awaitText("#media-list-status", "0 media", 15);
    }

    @AfterEach
    void close() throws Exception {
        ui.close();
        server.close();
    }

    /** The rows of the media table as shown, each its cells' texts. */
    List<List<String>> rows() {
        return UiFixture.fx(() -> {
            List<List<String>> out = new ArrayList<>();
            for (Node n : ui.robot.lookup("#media-table .table-row-cell").queryAll()) {
                TableRow<?> row = (TableRow<?>) n;
                if (!row.isEmpty() && row.isVisible()) {
                    out.add(row.lookupAll(".table-cell").stream().map(c -> ((TableCell<?, ?>) c).getText()).toList());
                }
            }
            return out;
        });
    }

    boolean enabled(String query) {
        return UiFixture.fx(() -> !ui.robot.lookup(query).query().isDisabled());
    }

    double progress() {
        return UiFixture.fx(() -> ui.robot.lookup("#media-progress").queryAs(ProgressBar.class).getProgress());
    }

    @Test
    void downloadsAnIsoWithAProgressBarThenDeletesIt() throws Exception {
        String sha = TestMedia.sha256(iso);
        ui.type("#media-url", server.url());
        ui.type("#media-sha256", sha);
        ui.robot.clickOn("#media-import-url");
        ui.await("the bar between empty and full", 15, () -> progress() > 0 && progress() < 1, this::progress);
        assertFalse(enabled("#media-import-url"), "no second import while one runs");
        ui.awaitTextContaining("#media-status", "Copying rescue.iso: ", 5);
        ui.awaitText("#media-status", "rescue.iso is in the library.", 30);
        assertEquals(1.0, progress());
        assertTrue(enabled("#media-import-url"));
        ui.await("the medium listed", 10, () -> rows().size() == 1, this::rows);
        assertEquals(List.of("rescue.iso", String.format(java.util.Locale.ROOT, "%.1f MB", Files.size(iso) / 1e6), "RESCUE_CD", sha),
                rows().get(0));
        List<Medium> listed = ui.rpc(ToolstackApi.MEDIA_LIST, null);
        assertEquals(sha, TestMedia.sha256(Path.of(listed.get(0).path())), "polydeskd holds the very file");

        Node cell = UiFixture.fx(() -> ui.robot.lookup("#media-table .table-cell").queryAll().stream()
                .filter(c -> "rescue.iso".equals(((TableCell<?, ?>) c).getText())).findFirst().orElseThrow());
        ui.robot.clickOn(cell);
        ui.robot.clickOn("#media-delete");
        ui.robot.clickOn("#confirm-delete-medium");
        ui.awaitText("#media-status", "rescue.iso was deleted.", 10);
        ui.awaitText("#media-list-status", "0 media", 10);
        assertEquals(List.of(), ui.rpc(ToolstackApi.MEDIA_LIST, null));
    }

    @Test
    void aDownloadThatBrokeOffIsListedAndContinuedFromWhereItStopped() throws Exception {
        server.dropNext(1 + org.polydesk.toolstack.media.MediaImports.RESUMES);
        ui.type("#media-url", server.url());
        ui.robot.clickOn("#media-import-url");
        ui.awaitTextContaining("#media-status", "import the same URL again to continue it", 60);
        ui.await("the unfinished download listed", 10,
                () -> rows().size() == 1 && rows().get(0).get(2).equals("unfinished download"), this::rows);
        assertEquals("from " + server.url(), rows().get(0).get(3));
        assertFalse(enabled("#media-resume"), "nothing selected yet");
        Node cell = UiFixture.fx(() -> ui.robot.lookup("#media-table .table-cell").queryAll().stream()
                .filter(c -> "rescue.iso".equals(((TableCell<?, ?>) c).getText())).findFirst().orElseThrow());
        ui.robot.clickOn(cell);
        assertTrue(enabled("#media-resume"));

        server.ranges.clear();
        ui.robot.clickOn("#media-resume");
        ui.awaitText("#media-status", "rescue.iso is in the library.", 30);
        assertEquals(1, server.ranges.size(), server.ranges.toString());
        assertTrue(server.ranges.get(0).matches("bytes=[1-9]\\d*-"), "continued, not begun again: " + server.ranges);
        ui.await("the whole medium listed", 10, () -> rows().size() == 1 && rows().get(0).get(2).equals("RESCUE_CD"), this::rows);
        List<Medium> listed = ui.rpc(ToolstackApi.MEDIA_LIST, null);
        assertEquals(TestMedia.sha256(iso), TestMedia.sha256(Path.of(listed.get(0).path())));
    }

    @Test
    void aWrongChecksumIsShownAndNothingIsAdded() throws Exception {
        ui.type("#media-url", server.url());
        ui.type("#media-sha256", "ab".repeat(32));
        ui.robot.clickOn("#media-import-url");
        ui.awaitTextContaining("#media-status", "not " + "ab".repeat(32) + " as given; the copy was deleted", 30);
        assertEquals(0.0, progress());
        assertTrue(enabled("#media-import-url"), "a failed import can be tried again");
        assertEquals(List.of(), ui.rpc(ToolstackApi.MEDIA_LIST, null));
        assertEquals(List.of(), rows());
    }

    @Test
    void aRefusedUrlSaysWhy() {
        ui.type("#media-url", "file:///etc/shadow");
        ui.robot.clickOn("#media-import-url");
        ui.awaitTextContaining("#media-status", "only http and https URLs are imported", 10);
        assertTrue(enabled("#media-import-url"));
    }

    @Test
    void showsTheIsoFilesPolydeskdFindsOnUsbSticks() throws Exception {
        List<UsbIsoFile> onSticks = ui.rpc(ToolstackApi.MEDIA_USB_LIST, null);
        ui.robot.clickOn("#media-usb-look");
        ui.awaitText("#media-usb-status", onSticks.isEmpty() ? "No ISO files on the USB sticks plugged in."
                : onSticks.size() == 1 ? "1 ISO file: select it and copy it." : onSticks.size() + " ISO files: select one and copy it.", 15);
        assertFalse(enabled("#media-import-usb"), "nothing to copy until a file is selected");
    }
}
