package org.polydesk.ui.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.StageStyle;
import org.polydesk.ui.app.MainWindow;
import org.polydesk.ui.client.ToolstackClient;
import org.polydesk.ui.common.UiContext;

/**
 * Development tool behind ui-vm/screenshots.sh: shows the UI as the appliance does (covering the
 * X screen), walks through its pages and captures the real screen with ImageMagick's {@code import}
 * after each step. Arguments: SOCKET OUTPUT_DIR DAEMON_PID (the daemon is killed for the last shot).
 */
public final class ScreenshotTour {
    private final Path out;
    private MainWindow window;
    private Scene scene;

    private ScreenshotTour(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        Path out = Path.of(args[1]);
        long daemonPid = Long.parseLong(args[2]);
        Files.createDirectories(out);
        new ScreenshotTour(out).run(socket, daemonPid);
        Platform.exit();
        System.exit(0);
    }

    private void run(Path socket, long daemonPid) throws Exception {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Platform.startup(() -> started.complete(null));
        started.get(30, TimeUnit.SECONDS);
        ToolstackClient client = new ToolstackClient(socket, Platform::runLater);
        fx(() -> {
            window = new MainWindow(new UiContext(client), client);
            Rectangle2D screen = Screen.getPrimary().getBounds();
            Stage stage = new Stage(StageStyle.UNDECORATED);
            scene = new Scene(window.node(), screen.getWidth(), screen.getHeight());
            stage.setX(0);
            stage.setY(0);
            stage.setScene(scene);
            stage.show();
            return null;
        });
        client.start();
        await("the VM list", () -> table().getItems().size() >= 3
                && table().getItems().stream().anyMatch(s -> s.state().wireName().equals("running")));
        fx(() -> {
            table().getSelectionModel().select(0);
            return null;
        });
        shot("ui-vms");

        fx(() -> {
            window.openForm(null);
            // The form sits in a ScrollPane, whose content joins the scene graph with its skin.
            scene.getRoot().applyCss();
            scene.getRoot().layout();
            return null;
        });
        fx(() -> {
            text("#name").setText("Debian");
            text("#memory").setText("64");
            @SuppressWarnings("unchecked")
            ComboBox<String> slot = (ComboBox<String>) scene.lookup("#slot");
            slot.setValue("1");
            ((Button) scene.lookup("#submit")).fire();
            return null;
        });
        await("the refusal", () -> !((Labeled) scene.lookup("#memory-error")).getText().isEmpty());
        shot("ui-form-refused");

        page(MainWindow.Page.HOST, "#host-hypervisor");
        shot("ui-host");
        page(MainWindow.Page.GPU, "#gpu-status");
        shot("ui-gpu");
        page(MainWindow.Page.LOG, "#log-list");
        shot("ui-log");
        page(MainWindow.Page.MEDIA, "#media-list-status");
        shot("ui-media");
        page(MainWindow.Page.NETWORK, "#networks-status");
        shot("ui-network");
        page(MainWindow.Page.SOUND, "#sound-server");
        await("the running VM heard", () -> {
            TableView<?> sound = (TableView<?>) scene.lookup("#sound-table");
            return sound.getItems().stream().anyMatch(v -> ((org.polydesk.protocol.audio.AudioStatus.Vm) v).heard());
        });
        shot("ui-sound");
        page(MainWindow.Page.USB, "#usb-devices");
        shot("ui-usb");

        ProcessHandle.of(daemonPid).ifPresent(ProcessHandle::destroy);
        fx(() -> {
            window.show(MainWindow.Page.VMS);
            return null;
        });
        await("the banner", () -> scene.lookup("#banner").getParent().isVisible()
                && ((Labeled) scene.lookup("#banner")).getText().contains("gone"));
        shot("ui-daemon-gone");
    }

    private void page(MainWindow.Page p, String filled) throws Exception {
        fx(() -> {
            window.show(p);
            return null;
        });
        await(p + " page", () -> {
            Node n = scene.lookup(filled);
            return n instanceof Labeled l ? !l.getText().isEmpty() : n instanceof javafx.scene.control.ListView<?> v ? !v.getItems().isEmpty()
                    : n instanceof TableView<?> t && !t.getItems().isEmpty();
        });
    }

    @SuppressWarnings("unchecked")
    private TableView<org.polydesk.protocol.vm.VmStatus> table() {
        return (TableView<org.polydesk.protocol.vm.VmStatus>) scene.lookup("#vm-table");
    }

    private TextField text(String id) {
        return (TextField) scene.lookup(id);
    }

    private void shot(String name) throws IOException, InterruptedException {
        Thread.sleep(700); // two or three pulses: the last change is on the screen
        Path png = out.resolve(name + ".png");
        run("import", "-window", "root", png.toString());
        // A palette of 128 colours keeps each picture small enough for the repository.
        run("convert", png.toString(), "-strip", "-colors", "128", "PNG8:" + png);
        System.out.println(png + " (" + Files.size(png) / 1024 + " KiB)");
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(fx(condition))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(what + " did not show within 60 s");
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Exception | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }
}
