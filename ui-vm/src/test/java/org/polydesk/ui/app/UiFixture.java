package org.polydesk.ui.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableRow;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import org.polydesk.protocol.rpc.RpcMethod;
import org.polydesk.protocol.toolstack.ToolstackApi;
import org.polydesk.protocol.vm.VmStatus;
import org.polydesk.protocol.rpc.RpcClient;
import org.polydesk.testsupport.PolydeskdProcess;
import org.polydesk.ui.client.ToolstackClient;
import org.polydesk.ui.common.UiContext;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The control UI in a headless (Monocle) stage against a real polydeskd, and the ways a test reads
 * what a person would see: texts of labels, fields and table cells, looked up by the ids the UI sets.
 */
final class UiFixture implements AutoCloseable {
    final PolydeskdProcess daemon;
    final FxRobot robot = new FxRobot();
    ToolstackClient client;
    MainWindow window;
    Stage stage;

    UiFixture(PolydeskdProcess daemon) {
        this.daemon = daemon;
    }

    /** Shows the UI (in a 1180x720 window) and starts its connection to polydeskd. */
    UiFixture open() throws Exception {
        stage = FxToolkit.registerPrimaryStage();
        client = new ToolstackClient(daemon.socket(), Platform::runLater);
        FxToolkit.setupStage(s -> {
            window = new MainWindow(new UiContext(client), client);
            s.setScene(new Scene(window.node(), 1180, 720));
            s.show();
            s.toFront();
        });
        client.start();
        WaitForAsyncUtils.waitForFxEvents();
        return this;
    }

    /** Waits until {@code condition} holds, read on the FX thread; fails with {@code what} and the last value seen. */
    void await(String what, long seconds, Callable<Boolean> condition, Callable<Object> seen) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(fx(condition))) {
                return;
            }
            sleep(100);
        }
        fail(what + " did not happen within " + seconds + " s; the UI shows: " + fx(seen)
                + "\nthe UI's log:\n" + String.join("\n", fx(() -> window.context().log().entries())));
    }

    void awaitText(String query, String expected, long seconds) {
        await(query + " showing '" + expected + "'", seconds, () -> expected.equals(text(query)), () -> text(query));
    }

    void awaitTextContaining(String query, String part, long seconds) {
        await(query + " containing '" + part + "'", seconds, () -> text(query).contains(part), () -> text(query));
    }

    /** The text a labelled node or text field shows; "" for a node that is not visible. */
    String text(String query) {
        return fx(() -> {
            Optional<Node> n = robot.lookup(query).tryQuery();
            if (n.isEmpty() || !shown(n.get())) {
                return "";
            }
            if (n.get() instanceof Labeled l) {
                return l.getText() == null ? "" : l.getText();
            }
            if (n.get() instanceof TextInputControl t) {
                return t.getText();
            }
            throw new AssertionError(query + " is a " + n.get().getClass().getSimpleName() + ", not a text");
        });
    }

    boolean visible(String query) {
        return fx(() -> robot.lookup(query).tryQuery().map(UiFixture::shown).orElse(false));
    }

    /** Whether a person can see the node: it and every parent visible, in a showing window. */
    static boolean shown(Node n) {
        if (n.getScene() == null || n.getScene().getWindow() == null || !n.getScene().getWindow().isShowing()) {
            return false;
        }
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** The text of the VM table's cell in column {@code columnId} of the row whose name is {@code vm}; null: no such row. */
    String cell(String vm, String columnId) {
        return fx(() -> {
            for (Node n : robot.lookup("#vm-table .table-row-cell").queryAll()) {
                TableRow<?> row = (TableRow<?>) n;
                if (row.isEmpty() || !row.isVisible()) {
                    continue;
                }
                String name = null;
                String wanted = null;
                for (Node c : row.lookupAll(".table-cell")) {
                    TableCell<?, ?> cell = (TableCell<?, ?>) c;
                    String id = cell.getTableColumn() == null ? null : cell.getTableColumn().getId();
                    if ("col-name".equals(id)) {
                        name = cell.getText();
                    }
                    if (columnId.equals(id)) {
                        wanted = cell.getText();
                    }
                }
                if (vm.equals(name)) {
                    return wanted;
                }
            }
            return null;
        });
    }

    void awaitCell(String vm, String columnId, String expected, long seconds) {
        await("the " + columnId + " of '" + vm + "' showing '" + expected + "'", seconds,
                () -> expected.equals(cell(vm, columnId)), () -> cell(vm, columnId));
    }

    /** Clicks the row of {@code vm} in the VM table. */
    /** Clicks the VM's row, waiting for it: the table follows polydeskd's events, which may come later. */
    void selectRow(String vm) {
        await("a row '" + vm + "' in the VM table", 10, () -> nameCell(vm) != null, () -> "no such row");
        robot.clickOn(fx(() -> nameCell(vm)));
    }

    private Node nameCell(String vm) {
        return robot.lookup("#vm-table .table-cell").queryAll().stream()
                .filter(c -> c.isVisible() && c instanceof TableCell<?, ?> tc && tc.getTableColumn() != null
                        && "col-name".equals(tc.getTableColumn().getId()) && vm.equals(tc.getText()))
                .findFirst().orElse(null);
    }

    /** Scrolls the page (a ScrollPane the node is in) until the node is in view, as a person would. */
    void reveal(String query) {
        fx(() -> {
            reveal(robot.lookup(query).query());
            return null;
        });
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
    }

    static void reveal(Node n) {
        for (Node p = n.getParent(); p != null; p = p.getParent()) {
            if (p instanceof javafx.scene.control.ScrollPane sp && sp.getContent() != null) {
                Node content = sp.getContent();
                double y = content.sceneToLocal(n.localToScene(n.getBoundsInLocal())).getMinY();
                double room = content.getBoundsInLocal().getHeight() - sp.getViewportBounds().getHeight();
                if (room > 0) {
                    sp.setVvalue(Math.max(0, Math.min(1, (y - 20) / room)));
                }
                sp.layout();
                return;
            }
        }
    }

    /**
     * Clicks a node once it is shown (a control may be laid out a moment after the page it is on),
     * scrolled into view first.
     */
    void click(String query) {
        await(query + " shown", 10, () -> visible(query), () -> query + " not shown");
        reveal(query);
        robot.clickOn(query);
    }

    /** Replaces a text field's text the way a person does: click, select all, type. */
    void type(String query, String text) {
        click(query);
        robot.push(javafx.scene.input.KeyCode.CONTROL, javafx.scene.input.KeyCode.A);
        if (text.isEmpty()) {
            robot.push(javafx.scene.input.KeyCode.BACK_SPACE);
        } else {
            robot.write(text);
        }
        assertEquals(text, text(query), "the field " + query + " after typing");
    }

    List<String> log() {
        return fx(() -> List.copyOf(window.context().log().entries()));
    }

    /** polydeskd's own view, for checks a person could make with polyctl. */
    <P, R> R rpc(RpcMethod<P, R> method, P params) throws Exception {
        try (RpcClient c = RpcClient.connect(daemon.socket())) {
            return c.call(method, params);
        }
    }

    static <T> T fx(Callable<T> c) {
        if (Platform.isFxApplicationThread()) {
            try {
                return c.call();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        AtomicReference<T> out = new AtomicReference<>();
        try {
            out.set(WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("reading the UI failed: " + e, e);
        }
        return out.get();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Kills every QEMU the daemon started (whatever the test did), closes the UI and the daemon. */
    @Override
    public void close() throws Exception {
        if (daemon.isAlive()) {
            try {
                for (VmStatus vm : rpc(ToolstackApi.VM_LIST, null)) {
                    if (vm.pid() != null) {
                        ProcessHandle.of(vm.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            } catch (Exception e) {
                System.err.println("could not list VMs to clean up: " + e);
            }
        }
        if (client != null) {
            client.close();
        }
        FxToolkit.cleanupStages();
        daemon.close();
    }
}
