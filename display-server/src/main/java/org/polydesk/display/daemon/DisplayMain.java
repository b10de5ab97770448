package org.polydesk.display.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import org.polydesk.display.bus.FocusFollower;
import org.polydesk.display.bus.ToolstackFollower;
import org.polydesk.display.compose.HeadScales;
import org.polydesk.display.compose.IndicatorStyle;
import org.polydesk.display.console.FbconConsole;
import org.polydesk.display.linux.FbconMap;
import org.polydesk.display.linux.Gntdev;
import org.polydesk.display.rfb.RfbConfig;
import org.polydesk.display.rfb.RfbEndpoint;
import org.polydesk.display.server.DisplayServer;
import org.polydesk.display.server.HeadArrangement;
import org.polydesk.display.sink.FramebufferSink;
import org.polydesk.display.sink.KmsSink;
import org.polydesk.display.sink.PngSink;
import org.polydesk.display.sink.Sink;
import org.polydesk.protocol.rpc.Backoff;
import org.polydesk.display.viewer.MonitorSink;
import org.polydesk.display.viewer.RegionMapper;
import org.polydesk.display.viewer.ViewerSink;
import org.polydesk.display.window.InputRecords;
import org.polydesk.display.window.LazyFifo;
import org.polydesk.display.window.WindowSink;
import org.polydesk.protocol.focus.FocusBus;
import org.polydesk.protocol.paths.Paths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** polydesk-display: shows the focused VM (or the control UI) on the chosen sink. */
@Command(name = "polydesk-display", mixinStandardHelpOptions = true, version = "polydesk-display 0.1",
        description = {"The Polydesk display server: a live VNC connection to every running VM and to the",
                "control UI, the focused one shown full-screen with the trusted indicator.",
                "Options may also be set in /etc/polydesk/display.conf, one 'name = value' a line."},
        defaultValueProvider = CommandLine.PropertiesDefaultProvider.class)
public final class DisplayMain implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(DisplayMain.class.getName());
    public static final Path CONFIG_FILE = Path.of("/etc/polydesk/display.conf");

    @Option(names = "--sink", description = "auto (the first DRM card with a monitor by kernel mode setting, else the"
            + " framebuffer /dev/fb0), kms[:DEVICE] (default device /dev/dri/card0), framebuffer[:DEVICE] (default device /dev/fb0), png:FILE "
            + "(a snapshot every --snapshot-interval-ms), window (a desktop window, for development) or viewer:CHANNEL"
            + " (the switcher viewer in the passthrough VM behind CHANNEL, its serial port's socket or a tty),"
            + " default: ${DEFAULT-VALUE}.")
    String sink = "auto";

    @Option(names = "--size", description = "Screen size WxH for sinks without one of their own (png), default: ${DEFAULT-VALUE}.")
    String size = "1280x800";

    @Option(names = "--snapshot-interval-ms", description = "Least time between two PNG snapshots (default: ${DEFAULT-VALUE}).")
    int snapshotIntervalMs = 1000;

    @Option(names = "--toolstack-socket", description = "polydeskd's socket (default: ${DEFAULT-VALUE}).")
    Path toolstackSocket = Paths.DAEMON_SOCKET;

    @Option(names = "--focus-socket", description = "input-server's focus bus (default: ${DEFAULT-VALUE}).")
    Path focusSocket = FocusBus.SOCKET;

    @Option(names = "--ui-vnc", description = "The control UI's Xvnc socket, shown in slot 0 (default: ${DEFAULT-VALUE}).")
    Path uiVnc = Paths.UI_VNC_SOCKET;

    @Option(names = "--banner-ms", description = "How long the VM's name banner shows after a switch (default: ${DEFAULT-VALUE}).")
    int bannerMs = 1500;

    @Option(names = "--scale", description = "The indicator's and labels' scale for the monitors' pixel density: auto"
            + " (from each monitor's size, KMS only), 1, 1.25, 1.5 or 2 for every monitor, and any monitor's by name,"
            + " e.g. 'auto HDMI-A-1=1 eDP-1=2' (default: ${DEFAULT-VALUE}).")
    String scale = "auto";

    @Option(names = "--screen-file", description = "Where the size and scale of dom0's screen are written for the"
            + " control UI's launcher, one line 'WxH SCALE' (default: ${DEFAULT-VALUE}).")
    Path screenFile = Paths.SCREEN_FILE;

    @Option(names = "--border", description = "Width of the border in the VM's colour, 0 for none (default: ${DEFAULT-VALUE}).")
    int border = 0;

    @Option(names = "--source", paramLabel = "SLOT=NAME,#RRGGBB,ENDPOINT",
            description = "A fixed VNC server shown in a slot besides polydeskd's VMs (repeatable; for development"
                    + " and tests); ENDPOINT is unix:PATH or tcp:HOST:PORT, e.g. 3=Test,#C03030,tcp:10.0.2.2:5901.")
    java.util.List<String> sources = new java.util.ArrayList<>();

    @Option(names = "--window-events", paramLabel = "FIFO", description = "With --sink window: write the window's keys"
            + " and mouse as evdev records to FIFO, for polydesk-input --events FIFO.")
    Path windowEvents;

    @Option(names = "--passthrough-slot", description = "With --sink viewer: the passthrough VM's slot; while it has"
            + " focus the viewer hides (default: none).")
    int passthroughSlot = -1;

    @Option(names = "--viewer-shm-dir", description = "Where a switcher viewer's shared frame files are"
            + " (default: ${DEFAULT-VALUE}).")
    Path viewerShmDir = Path.of("/dev/shm");

    @Option(names = "--viewer-domid", description = "With --sink viewer: the Xen domain of the VM behind CHANNEL;"
            + " only its grants are mapped as the viewer's region (default: none, no grants).")
    Integer viewerDomid;

    @Option(names = "--viewer-ivshmem", description = "With --sink viewer: the file behind the ivshmem BAR of the VM"
            + " behind CHANNEL (QEMU's memory-backend-file); only there is an ivshmem region mapped (default: none).")
    Path viewerIvshmem;

    @Option(names = "--layout", description = "Where the monitors sit, for the pointer to cross between them: their"
            + " names left to right, rows top to bottom between slashes, e.g. 'DP-1 / eDP-1 HDMI-A-1' (DP-1 above"
            + " eDP-1, HDMI-A-1 right of it); monitors not named follow on the first row's right (default: all left to right).")
    String layout = "";

    @Option(names = "--initial-focus", description = "The slot shown until the focus bus says otherwise (default: ${DEFAULT-VALUE}).")
    int initialFocus = FocusBus.UI_SLOT;

    public static void main(String[] args) {
        if (Files.isReadable(CONFIG_FILE)) {
            System.setProperty("picocli.defaults.polydesk-display.path", CONFIG_FILE.toString());
        }
        System.exit(new CommandLine(new DisplayMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        IndicatorStyle style;
        HeadScales scales;
        Sink out;
        java.util.List<FixedSource> fixed = new java.util.ArrayList<>();
        HeadArrangement arrangement;
        try {
            scales = HeadScales.parse(scale);
            style = new IndicatorStyle(Duration.ofMillis(bannerMs), border, scales.all());
            for (String s : sources) {
                fixed.add(FixedSource.parse(s));
            }
            if (!FocusBus.isSlot(initialFocus)) {
                throw new IllegalArgumentException("--initial-focus must be a slot from 0 to " + FocusBus.MAX_SLOT);
            }
            arrangement = HeadArrangement.parse(layout);
            out = openSink();
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("polydesk-display: " + e.getMessage());
            return 1;
        }
        Backoff backoff = Backoff.DEFAULT;
        DisplayServer display = new DisplayServer(out, style, RfbConfig.defaults(), backoff);
        display.arrange(arrangement);
        display.scale(scales);
        display.start();
        String fb = framebufferDevice();
        if (fb != null) {
            // The console chord shows the kernel's console on this framebuffer (the administrator's login).
            display.useTextConsole(new FbconConsole(FbconConsole.SYSFS, () -> FbconMap.map(java.nio.file.Path.of(fb), 1)));
        }
        if (fb != null) {
            ScreenFile screen = new ScreenFile(screenFile);
            Runnable tell = () -> screen.writeUiMonitor(display, scales);
            tell.run();
            display.onScreenChanged(tell);
        }
        display.showControlUi(RfbEndpoint.unix(uiVnc));
        fixed.forEach(f -> display.vmStarted(f.label(), f.endpoint()));
        display.focus(initialFocus);
        ToolstackFollower toolstack = new ToolstackFollower(toolstackSocket, backoff, display,
                out instanceof MonitorSink monitor ? monitor : null).start();
        FocusFollower focus = new FocusFollower(focusSocket, backoff, display).start();
        LOG.info(() -> "polydesk-display on " + out.describe());
        if (out instanceof PngSink png) {
            System.out.println("snapshots: " + png.file());
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            focus.close();
            toolstack.close();
            display.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    /**
     * The framebuffer the kernel's console draws on, for a sink on dom0's own screen, else null: a
     * KMS card's is its driver's framebuffer emulation, /dev/fb0.
     */
    private String framebufferDevice() {
        if (sink.equals("framebuffer") || sink.equals("auto") || sink.equals("kms") || sink.startsWith("kms:")) {
            return "/dev/fb0";
        }
        return sink.startsWith("framebuffer:") ? sink.substring("framebuffer:".length()) : null;
    }

    /** dom0's own screen as the --sink option names it. */
    private Sink openScreen() throws java.io.IOException {
        if (sink.equals("auto")) {
            return ScreenProbe.open(Path.of("/dev/dri"), "/dev/fb0");
        }
        if (sink.equals("kms") || sink.startsWith("kms:")) {
            return KmsSink.open(sink.equals("kms") ? "/dev/dri/card0" : sink.substring("kms:".length()));
        }
        return FramebufferSink.open(framebufferDevice());
    }

    private Sink openSink() throws java.io.IOException {
        if (framebufferDevice() != null) {
            // a VM that owns the GPU takes the monitor, and dom0's screen with it
            return MonitorSink.open(this::openScreen, viewerShmDir, new Gntdev(), Backoff.DEFAULT);
        }
        String[] wh = size.split("x");
        if (wh.length != 2 || !wh[0].matches("\\d{1,5}") || !wh[1].matches("\\d{1,5}")
                || Integer.parseInt(wh[0]) < 64 || Integer.parseInt(wh[1]) < 64) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT of at least 64x64, like 1280x800, not '" + size + "'");
        }
        int width = Integer.parseInt(wh[0]);
        int height = Integer.parseInt(wh[1]);
        if (sink.startsWith("png:")) {
            if (snapshotIntervalMs < 10) {
                throw new IllegalArgumentException("--snapshot-interval-ms must be at least 10");
            }
            return new PngSink(Path.of(sink.substring(4)), width, height, Duration.ofMillis(snapshotIntervalMs));
        }
        if (sink.equals("window")) {
            InputRecords input = windowEvents == null ? null : new InputRecords(new LazyFifo(windowEvents));
            return new WindowSink(width, height, "Polydesk", input);
        }
        if (sink.startsWith("viewer:") && sink.length() > 7) {
            if (passthroughSlot != -1 && (passthroughSlot < 1 || passthroughSlot > FocusBus.MAX_SLOT)) {
                throw new IllegalArgumentException("--passthrough-slot must be a VM's slot, 1 to " + FocusBus.MAX_SLOT);
            }
            return ViewerSink.open(width, height, passthroughSlot, Path.of(sink.substring(7)),
                    new RegionMapper(viewerShmDir, viewerDomid, viewerIvshmem, new Gntdev()), Backoff.DEFAULT);
        }
        throw new IllegalArgumentException("--sink must be auto, kms[:DEVICE], framebuffer[:DEVICE], png:FILE, window or viewer:CHANNEL, not '"
                + sink + "'");
    }
}
