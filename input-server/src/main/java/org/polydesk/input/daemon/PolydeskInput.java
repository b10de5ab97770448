package org.polydesk.input.daemon;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.polydesk.input.hotkey.InputConfig;
import org.polydesk.input.sink.RfbSink;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.paths.Paths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code polydesk-input}: the input server's main. */
@Command(name = "polydesk-input", mixinStandardHelpOptions = true, version = "polydesk-input 0.1",
        description = {"Reads keyboards and mice (evdev, grabbed), recognises the switching hotkeys, owns the focus "
                + "and forwards input to the focused VM (QMP) or the control UI (RFB).",
                "Exit codes: 0 stopped by a signal, 2 bad command line, 1 could not start (the focus bus socket)."})
public final class PolydeskInput implements Callable<Integer> {
    @Option(names = "--config", description = "settings file (default: ${DEFAULT-VALUE}); "
            + "a missing file means the defaults, a bad one is reported and the defaults are used;"
            + " input.config.set writes the chords and the pointer mode here")
    Path config = InputConfig.DEFAULT_FILE;

    @Option(names = "--socket", description = "focus bus socket (default: ${DEFAULT-VALUE})")
    Path socket = FocusBus.SOCKET;

    @Option(names = "--daemon-socket", description = "polydeskd's socket, for lifecycle events (default: ${DEFAULT-VALUE})")
    Path daemonSocket = Paths.DAEMON_SOCKET;

    @Option(names = "--devices", description = "directory of evdev nodes to open and follow (default: ${DEFAULT-VALUE})")
    Path devices = Path.of("/dev/input");

    @Option(names = "--no-devices", description = "open no evdev devices (use --events)")
    boolean noDevices;

    @Option(names = "--no-grab", description = "read devices without grabbing them (the host sees the input too)")
    boolean noGrab;

    @Option(names = "--events", paramLabel = "FILE", description = "also read evdev input_event records from FILE "
            + "(a FIFO, a recording; - for standard input); repeatable")
    List<String> events = new ArrayList<>();

    @Option(names = "--ui-vnc", description = "the control UI's Xvnc socket (overrides uiVncSocket of the settings)")
    Path uiVnc;

    @Option(names = "--absolute-pointer", description = "start sending every VM the pointer as absolute positions,"
            + " tablet or not (as \"pointer\": \"absolute\" in the settings; the default \"auto\" does so only for"
            + " VMs polydeskd gave a USB tablet; input.config.set may change it)")
    boolean absolutePointer;

    @Option(names = "--console", description = "the console chord (Ctrl+Alt+F11) types into dom0's text console"
            + " through a keyboard made on --uinput. Off by default: the display server cannot yet give the screen"
            + " to the console on Debian 12's kernel (issue 21), so the keys would go to a console no one sees")
    boolean console;

    @Option(names = "--uinput", description = "where --console makes its keyboard (default: ${DEFAULT-VALUE})")
    Path uinput = Path.of("/dev/uinput");

    @Option(names = "--vm", paramLabel = "SLOT=NAME,ENDPOINT", description = "A VM typed into through its VNC server"
            + " where there is no polydeskd (its first list of VMs replaces these; repeatable; for development and"
            + " tests, as polydesk-display --source); ENDPOINT is"
            + " unix:PATH or tcp:HOST:PORT, e.g. 3=Test,tcp:10.0.2.2:5901")
    List<String> vms = new ArrayList<>();

    @Option(names = "--verbose", description = "log every device and focus decision")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        configureLogging(verbose);
        Logger log = Logger.getLogger("polydesk-input");
        InputConfig cfg;
        try {
            cfg = InputConfig.load(config);
        } catch (InputConfig.ConfigException e) {
            log.warning(e.getMessage() + "; using the default hotkeys and settings");
            cfg = InputConfig.defaults();
        }
        if (uiVnc != null) {
            cfg = cfg.withUiVncSocket(uiVnc);
        }
        List<FixedVm> fixed = new ArrayList<>();
        try {
            for (String v : vms) {
                fixed.add(FixedVm.parse(v));
            }
        } catch (IllegalArgumentException e) {
            log.severe(e.getMessage());
            return 2;
        }
        InputService service;
        try {
            service = new InputService(new InputService.Settings(cfg, socket, daemonSocket,
                    noDevices ? null : devices, !noGrab, absolutePointer, config, console && !noDevices ? uinput : null));
        } catch (IOException e) {
            log.severe("cannot start: " + e.getMessage());
            return 1;
        }
        for (FixedVm v : fixed) {
            service.focus().vmStarted(v.slot(), v.id(), v.name(), new RfbSink(v.rfb()));
        }
        for (String e : events) {
            InputStream in = e.equals("-") ? System.in : new FileInputStream(e);
            service.addStream(e, in);
        }
        log.info("serving the focus bus on " + socket + "; hotkeys: " + cfg.hotkeys());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    static void configureLogging(boolean verbose) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler();
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String name = r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
                return r.getLevel().getName().toLowerCase() + " " + name + ": " + formatMessage(r)
                        + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")") + "\n";
            }
        });
        h.setLevel(verbose ? Level.FINE : Level.INFO);
        root.addHandler(h);
        root.setLevel(verbose ? Level.FINE : Level.INFO);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PolydeskInput()).execute(args));
    }
}
