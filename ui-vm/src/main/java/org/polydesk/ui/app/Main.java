package org.polydesk.ui.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import javafx.application.Application;
import org.polydesk.protocol.paths.Paths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code polydesk-ui}: starts the control UI. Not an Application itself, so it runs from the class path. */
@Command(name = "polydesk-ui", mixinStandardHelpOptions = true, version = "polydesk-ui 0.1",
        description = "The Polydesk control UI: VMs, host, GPU, installer and log, talking to polydeskd.")
public final class Main implements Callable<Integer> {

    /** What the command line chose. */
    public static final class Options {
        @Option(names = "--socket", description = "polydeskd's socket (default: ${DEFAULT-VALUE}).")
        Path socket = Paths.DAEMON_SOCKET;

        @Option(names = "--window", description = "An ordinary window (for development) instead of covering the screen.")
        boolean window;

        @Option(names = "--width", description = "Window width with --window (default: ${DEFAULT-VALUE}).")
        int width = 1180;

        @Option(names = "--height", description = "Window height with --window (default: ${DEFAULT-VALUE}).")
        int height = 720;

        @Option(names = "--page", description = "The page to open: ${COMPLETION-CANDIDATES} (default: VMS).")
        MainWindow.Page page;
    }

    @CommandLine.Mixin
    Options options = new Options();

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() {
        PolydeskUi.options = options;
        Application.launch(PolydeskUi.class);
        return 0;
    }
}
