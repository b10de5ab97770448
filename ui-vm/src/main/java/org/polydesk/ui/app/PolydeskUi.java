package org.polydesk.ui.app;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.StageStyle;
import org.polydesk.ui.client.ToolstackClient;
import org.polydesk.ui.common.UiContext;

/** The JavaFX application: one window, the whole screen under Xvnc in dom0, an ordinary window with --window. */
public final class PolydeskUi extends Application {
    /** Set by {@link Main} before launch (Application.launch takes no constructor arguments). */
    static volatile Main.Options options;
    private ToolstackClient client;

    @Override
    public void start(Stage stage) {
        Main.Options o = options;
        client = new ToolstackClient(o.socket, Platform::runLater);
        MainWindow window = new MainWindow(new UiContext(client), client);
        if (o.page != null) {
            window.show(o.page);
        }
        Scene scene;
        if (o.window) {
            scene = new Scene(window.node(), o.width, o.height);
        } else {
            // Appliance mode: no window manager under Xvnc, so the window itself covers the screen.
            Rectangle2D screen = Screen.getPrimary().getBounds();
            stage.initStyle(StageStyle.UNDECORATED);
            stage.setX(screen.getMinX());
            stage.setY(screen.getMinY());
            scene = new Scene(window.node(), screen.getWidth(), screen.getHeight());
        }
        stage.setTitle("Polydesk");
        stage.setScene(scene);
        stage.show();
        client.start();
    }

    @Override
    public void stop() {
        if (client != null) {
            client.close();
        }
    }
}
