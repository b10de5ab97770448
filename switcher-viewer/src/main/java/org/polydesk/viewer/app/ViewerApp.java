package org.polydesk.viewer.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.StageStyle;
import org.polydesk.protocol.viewer.ViewerMessage;
import org.polydesk.viewer.region.SharedFileRegion;
import org.polydesk.viewer.session.ViewerSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** polydesk-viewer: inside the passthrough VM, shows the other VMs while they have focus. */
@Command(name = "polydesk-viewer", mixinStandardHelpOptions = true, version = "polydesk-viewer 0.1",
        description = {"The Polydesk switcher viewer: runs in the VM that owns the GPU and shows the focused VM's",
                "screen, sent by dom0's display server, full-screen; it hides while this VM has focus."})
public final class ViewerApp extends Application implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(ViewerApp.class.getName());
    private static ViewerApp options;

    @Option(names = "--port", description = "The serial port to dom0 (default: ${DEFAULT-VALUE}).")
    Path port = Path.of("/dev/ttyS1");

    @Option(names = "--shm-dir", description = "Where the shared frame file goes (default: ${DEFAULT-VALUE}).")
    Path shmDir = Path.of("/dev/shm");

    @Option(names = "--size", description = "The screen size WxH to ask for (default: this screen's).")
    String size;

    @Option(names = "--buffers", description = "Frame buffers in the region, 2 to 4 (default: ${DEFAULT-VALUE}).")
    int buffers = 3;

    private SharedFileRegion region;
    private ViewerSession session;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ViewerApp()).execute(args));
    }

    @Override
    public Integer call() {
        if (buffers < 2 || buffers > 4) {
            System.err.println("polydesk-viewer: --buffers must be 2 to 4");
            return 2;
        }
        if (size != null && !size.matches("\\d{2,4}x\\d{2,4}")) {
            System.err.println("polydesk-viewer: --size must be WIDTHxHEIGHT, like 1920x1080, not '" + size + "'");
            return 2;
        }
        options = this;
        Application.launch(ViewerApp.class);
        return 0;
    }

    @Override
    public void start(Stage stage) throws Exception {
        ViewerApp o = options;
        int w;
        int h;
        if (o.size != null) {
            w = Integer.parseInt(o.size.split("x")[0]);
            h = Integer.parseInt(o.size.split("x")[1]);
        } else {
            Rectangle2D b = Screen.getPrimary().getBounds();
            w = (int) b.getWidth();
            h = (int) b.getHeight();
        }
        Platform.setImplicitExit(false); // HIDE hides the only window; the viewer lives on
        stage.initStyle(StageStyle.UNDECORATED);
        region = SharedFileRegion.create(o.shmDir, "polydesk-viewer-" + ProcessHandle.current().pid(), w, h, o.buffers);
        ViewerWindow window = new ViewerWindow(stage, region.region());
        session = new ViewerSession(o.port, new ViewerMessage.Hello(w, h, region.offer()), window).start();
        LOG.info("polydesk-viewer: " + w + "x" + h + ", waiting for dom0 on " + o.port);
    }

    @Override
    public void stop() throws Exception {
        if (session != null) {
            session.close();
        }
        if (region != null) {
            region.close();
        }
    }
}
