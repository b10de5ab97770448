package org.polydesk.viewer.app;

import java.io.IOException;
import java.nio.file.Files;
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
import org.polydesk.viewer.region.IvshmemRegion;
import org.polydesk.viewer.region.OfferedRegion;
import org.polydesk.viewer.region.SharedFileRegion;
import org.polydesk.viewer.session.ViewerSession;
import org.polydesk.viewer.xen.GrantedRegion;
import org.polydesk.viewer.xen.XenStore;
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

    @Option(names = "--size", description = "The screen size WxH in pixels to ask for (default: this screen's, in its"
            + " pixels at the OS's display scale).")
    String size;

    @Option(names = "--scale", description = "The scale this screen is drawn at, for the indicator and labels dom0"
            + " draws: auto (the OS's display scale, rounded to 1, 1.25, 1.5 or 2), or one of those (default: ${DEFAULT-VALUE}).")
    String scale = "auto";

    @Option(names = "--buffers", description = "Frame buffers in the region, 2 to 4 (default: ${DEFAULT-VALUE}).")
    int buffers = 3;

    /** Where the frame region lives. */
    enum RegionKind { auto, grants, ivshmem, file }

    @Option(names = "--region", description = "grants (pages granted to dom0 with Xen's gntalloc), ivshmem (the BAR of"
            + " QEMU's ivshmem device, on the QEMU backend), file (a file in --shm-dir, dom0 on the same host) or auto:"
            + " grants when /dev/xen/gntalloc exists, else ivshmem when the VM has the device, else file"
            + " (default: ${DEFAULT-VALUE}).")
    RegionKind regionKind = RegionKind.auto;

    @Option(names = "--ivshmem", paramLabel = "ADDRESS", description = "With ivshmem: the PCI address of dom0's ivshmem"
            + " device, when the VM has several (default: the only one).")
    String ivshmemAddress;

    @Option(names = "--domid", description = "With grants: this VM's Xen domain id (default: read from xenstore).")
    Integer domid;

    @Option(names = "--probe", paramLabel = "FRAMES", description = "Diagnostic, no window: print 'frame SERIAL buffer B"
            + " crc32 HEX' for each frame read from the region and exit 0 after FRAMES frames (1 if they do not come within"
            + " --probe-seconds). The size is --size, default 1024x768.")
    Integer probe;

    @Option(names = "--probe-seconds", description = "With --probe: how long to wait for the frames (default: ${DEFAULT-VALUE}).")
    int probeSeconds = 300;

    private OfferedRegion region;
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
        if (!scale.equals("auto") && parseScale(scale) == 0) {
            System.err.println("polydesk-viewer: --scale must be auto, 1, 1.25, 1.5 or 2, not '" + scale + "'");
            return 2;
        }
        if (probe != null) {
            return probe();
        }
        options = this;
        Application.launch(ViewerApp.class);
        return 0;
    }

    /** The region --region asks for: granted to dom0, in the ivshmem BAR or in a shared file. */
    private OfferedRegion openRegion(int w, int h) throws IOException {
        RegionKind kind = regionKind;
        if (kind == RegionKind.auto) {
            kind = Files.exists(GrantedRegion.DEVICE) ? RegionKind.grants
                    : !IvshmemRegion.devices(IvshmemRegion.PCI_DEVICES).isEmpty() ? RegionKind.ivshmem : RegionKind.file;
        }
        return switch (kind) {
            case grants -> GrantedRegion.create(domid != null ? domid : XenStore.ownDomid(), w, h, buffers);
            case ivshmem -> IvshmemRegion.create(IvshmemRegion.PCI_DEVICES, ivshmemAddress, w, h, buffers);
            default -> SharedFileRegion.create(shmDir, "polydesk-viewer-" + ProcessHandle.current().pid(), w, h, buffers);
        };
    }

    private int probe() {
        int w = size != null ? Integer.parseInt(size.split("x")[0]) : 1024;
        int h = size != null ? Integer.parseInt(size.split("x")[1]) : 768;
        try (OfferedRegion r = openRegion(w, h)) {
            FrameProbe screen = new FrameProbe(r.region(), System.out, probe);
            ViewerMessage.Hello hello = new ViewerMessage.Hello(w, h, scale.equals("auto") ? 1 : parseScale(scale), r.offer());
            System.out.println("probe: " + w + "x" + h + " with " + buffers + " buffers in " + describe(r.offer())
                    + ", waiting for dom0 on " + port);
            try (ViewerSession s = new ViewerSession(port, hello, screen).start()) {
                if (!screen.await(probeSeconds)) {
                    System.err.println("polydesk-viewer: fewer than " + probe + " frames within " + probeSeconds + " s");
                    return 1;
                }
            }
            return 0;
        } catch (IOException e) {
            System.err.println("polydesk-viewer: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            return 1;
        }
    }

    private static String describe(ViewerMessage.Region offer) {
        if (offer instanceof ViewerMessage.XenGrants g) {
            return g.refs().length + " pages granted to dom0 by domain " + g.domid();
        }
        return offer instanceof ViewerMessage.SharedFile f ? "the shared file " + f.name() : "the ivshmem BAR";
    }

    @Override
    public void start(Stage stage) throws Exception {
        ViewerApp o = options;
        int w;
        int h;
        double osScale = Screen.getPrimary().getOutputScaleX();
        double drawn = o.scale.equals("auto") ? nearestScale(osScale) : parseScale(o.scale);
        if (o.size != null) {
            w = Integer.parseInt(o.size.split("x")[0]);
            h = Integer.parseInt(o.size.split("x")[1]);
        } else {
            // the screen's own pixels: frames at its resolution, not the OS's scaled-down units
            Rectangle2D b = Screen.getPrimary().getBounds();
            w = (int) Math.round(b.getWidth() * osScale);
            h = (int) Math.round(b.getHeight() * osScale);
        }
        Platform.setImplicitExit(false); // HIDE hides the only window; the viewer lives on
        stage.initStyle(StageStyle.UNDECORATED);
        try {
            region = o.openRegion(w, h);
        } catch (IOException e) {
            System.err.println("polydesk-viewer: " + e.getMessage());
            System.exit(1);
        }
        ViewerWindow window = new ViewerWindow(stage, region.region(), osScale);
        session = new ViewerSession(o.port, new ViewerMessage.Hello(w, h, drawn, region.offer()), window).start();
        LOG.info("polydesk-viewer: " + w + "x" + h + " at " + drawn + "x, waiting for dom0 on " + o.port);
    }

    /** The offered scale nearest to the OS's (1 to 2). */
    static double nearestScale(double os) {
        double best = 1;
        for (double s : SCALES) {
            if (Math.abs(s - os) < Math.abs(best - os)) {
                best = s;
            }
        }
        return best;
    }

    private static final double[] SCALES = {1, 1.25, 1.5, 2};

    /** 1, 1.25, 1.5 or 2 as written; 0 for anything else. */
    static double parseScale(String text) {
        for (double s : SCALES) {
            if (text.equals(String.valueOf(s)) || (s == (int) s && text.equals(String.valueOf((int) s)))) {
                return s;
            }
        }
        return 0;
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
